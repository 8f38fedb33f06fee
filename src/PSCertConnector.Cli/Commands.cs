using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using PSCertConnector.Core;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Cli
{
    internal sealed partial class App
    {
        private int ConnectorAdd(CommandLine cl)
        {
            if (cl.Has("discover")) return ConnectorAddDiscovered(cl);
            var (every, unit) = Frequency(cl.Get("import-every")) ?? (15, ImportFrequencyUnit.Minutes);
            var definition = new ConnectorDefinition
            {
                Name = cl.Get("name") ?? cl.Positionals.FirstOrDefault() ?? throw CommandLine.Usage("--name is required."),
                Type = cl.Require("type", "the connector type, e.g. local"),
                Domain = cl.Get("domain"),
                BusinessUnit = cl.Get("business-unit"),
                Tags = cl.All("tag"),
                Priority = cl.Int("priority", 1, 10) ?? 5,
                ImportEnabled = !cl.Has("no-import"),
                ImportEvery = every,
                ImportEveryUnit = unit,
                Settings = Settings(cl),
            };
            var secret = Secret(cl, "secret-env", "secret-file");
            return Op(cl, false, (ws, s) => new ConnectorOperations(ws, s).Add(definition, secret == null ? null : Encoding.UTF8.GetBytes(secret)), single: true);
        }

        /// <summary>connector add --discover: adcs-ces connectors from the CES endpoints Active Directory publishes.</summary>
        private int ConnectorAddDiscovered(CommandLine cl)
        {
            if (cl.Get("type") is { } type && type != "adcs-ces")
                throw CommandLine.Usage("--discover creates adcs-ces connectors; leave --type out.");
            var directory = DirectoryOptionsFrom(cl);
            var secret = Secret(cl, "secret-env", "secret-file");
            var create = new DiscoveredConnectorOptions
            {
                Prefix = cl.Get("name") ?? cl.Positionals.FirstOrDefault(),
                CaName = cl.Get("ca"),
                Domain = cl.Get("domain"),
                BusinessUnit = cl.Get("business-unit"),
                Settings = Settings(cl),
                Secret = secret == null ? null : Encoding.UTF8.GetBytes(secret),
            };
            return Op(cl, false, (ws, s) => new DiscoveryOperations(ws, s).CreateConnectors(directory, create));
        }

        private int AdcsDiscover(CommandLine cl)
        {
            var directory = DirectoryOptionsFrom(cl);
            var caName = cl.Get("ca");
            if (!cl.Has("templates")) return Op(cl, false, (ws, s) => new DiscoveryOperations(ws, s).Find(directory, caName));
            return Op(cl, false, (ws, s) => new DiscoveryOperations(ws, s).FindTemplates(directory, caName));
        }

        private static DirectoryOptions DirectoryOptionsFrom(CommandLine cl)
        {
            var user = cl.Get("bind-user");
            var password = Secret(cl, "bind-password-env", "bind-password-file");
            if ((user == null) != (password == null))
                throw CommandLine.Usage("Give --bind-user with --bind-password-env (or --bind-password-file), or neither to bind with the Kerberos ticket.");
            return new DirectoryOptions
            {
                Server = cl.Get("server"),
                Port = cl.Int("ldap-port", 1, 65535),
                UseLdaps = cl.Has("ldaps"),
                Credential = user == null ? null : new System.Net.NetworkCredential(user, password),
            };
        }

        private int ConnectorSet(CommandLine cl)
        {
            var name = RequirePositional(cl, "connector name");
            var frequency = Frequency(cl.Get("import-every"));
            var changes = new ConnectorChanges
            {
                NewName = cl.Get("new-name"),
                Domain = cl.Get("domain"),
                BusinessUnit = cl.Get("business-unit"),
                Tags = cl.Has("tag") ? cl.All("tag") : null,
                Priority = cl.Int("priority", 1, 10),
                ImportEnabled = cl.Has("no-import") ? false : cl.Has("import") ? true : null,
                ImportEvery = frequency?.Every,
                ImportEveryUnit = frequency?.Unit,
                Settings = cl.Has("setting") ? Settings(cl) : null,
            };
            var secret = Secret(cl, "secret-env", "secret-file");
            return Op(cl, false, (ws, s) => new ConnectorOperations(ws, s).Update(name, changes, secret == null ? null : Encoding.UTF8.GetBytes(secret)), single: true);
        }

        private static Dictionary<string, string> Settings(CommandLine cl)
        {
            var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in cl.AllRaw("setting"))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0) throw CommandLine.Usage($"--setting '{pair}' should be KEY=VALUE.");
                settings[pair.Substring(0, eq).Trim()] = pair.Substring(eq + 1).Trim();
            }
            return settings;
        }

        private static (int Every, ImportFrequencyUnit Unit)? Frequency(string? text)
        {
            if (text == null) return null;
            var match = Regex.Match(text.Trim(), @"^(\d{1,5})\s*(m|min|minutes?|h|hours?|w|weeks?)$", RegexOptions.IgnoreCase);
            if (!match.Success || int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) < 1)
                throw CommandLine.Usage($"--import-every '{text}' should be a number with m, h or w (e.g. 15m, 2h, 1w).");
            var unit = char.ToLowerInvariant(match.Groups[2].Value[0]) switch
            {
                'h' => ImportFrequencyUnit.Hours,
                'w' => ImportFrequencyUnit.Weeks,
                _ => ImportFrequencyUnit.Minutes,
            };
            return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), unit);
        }

        private int RequestNew(CommandLine cl)
        {
            var infPath = cl.Get("inf");
            var outPath = cl.Get("out");
            RequestSpec? fromFlags = infPath == null ? RequestSpecFromFlags(cl) : null;
            if (infPath != null && (cl.Has("subject") || cl.Has("san") || cl.Has("key-length")))
                throw CommandLine.Usage("Give either --inf or the request flags (--subject, --san, ...), not both.");
            // certreq.ini files are often saved by Notepad as UTF-16 or with a BOM: let the reader detect it.
            var infText = infPath == null ? null
                : new StreamReader(new MemoryStream(ReadFile(infPath, "INF file")), Encoding.UTF8, detectEncodingFromByteOrderMarks: true).ReadToEnd();
            var intune = IntuneFromFlags(cl);
            if (intune != null && fromFlags == null) throw CommandLine.Usage("--intune applies to a request built from flags, not to --inf.");
            if (cl.Get("profile-oid") is string profileOid && fromFlags != null)
            {
                var oid = IntuneRules.ProfileOid(profileOid);
                fromFlags = fromFlags with
                {
                    CertificateTemplate = oid,
                    RequestAttributes = new Dictionary<string, string>(fromFlags.RequestAttributes.ToDictionary(k => k.Key, k => k.Value)) { ["CertificateTemplate"] = oid },
                };
            }
            return Op(cl, false, (ws, s) =>
            {
                var operations = new RequestOperations(ws, s);
                var result = fromFlags != null ? operations.Build(fromFlags, intune: intune) : operations.BuildFromInf(infText!);
                if (result != null && outPath != null)
                {
                    WriteFile(outPath, Encoding.ASCII.GetBytes(result.CsrPem));
                    s.WriteVerbose($"Wrote the request to {Path.GetFullPath(outPath)}.");
                }
            }, single: true, render: sink =>
            {
                if (cl.Has("json")) { _out.WriteLine(Views.ToJson(sink.Objects, true)); return; }
                foreach (var r in sink.Objects.OfType<CertificateRequestResult>())
                {
                    _out.WriteLine($"Request for {r.Subject} ({r.KeyAlgorithm} {r.KeyLength}), key {r.KeyId.Substring(0, 16)}… kept protected for pairing.");
                    if (outPath != null) _out.WriteLine($"CSR written to {Path.GetFullPath(outPath)}");
                    else _out.Write(r.CsrPem);
                }
            });
        }

        /// <summary>--intune cn|cn-email|cn-as-email with --email, --upn, --other-name, --no-email-san, --no-upn-san.</summary>
        private static IntuneIdentity? IntuneFromFlags(CommandLine cl)
        {
            var format = cl.Get("intune");
            if (format == null)
            {
                foreach (var option in new[] { "email", "upn", "other-name", "no-email-san", "no-upn-san" })
                    if (cl.Has(option)) throw CommandLine.Usage($"--{option} belongs to the Intune rules: add --intune cn|cn-email|cn-as-email.");
                return null;
            }
            return new IntuneIdentity
            {
                SubjectFormat = format.ToLowerInvariant() switch
                {
                    "cn" => IntuneSubjectFormat.CommonName,
                    "cn-email" or "cn+email" or "cn-e" => IntuneSubjectFormat.CommonNameAndEmail,
                    "cn-as-email" or "email" => IntuneSubjectFormat.CommonNameAsEmail,
                    _ => throw CommandLine.Usage($"--intune '{format}' should be cn, cn-email or cn-as-email."),
                },
                Email = cl.Get("email"),
                Upn = cl.Get("upn"),
                OtherNames = cl.All("other-name"),
                EmailSan = !cl.Has("no-email-san"),
                UpnSan = !cl.Has("no-upn-san"),
            };
        }

        /// <summary>intune check: the three values an Intune PKCS profile for DigiCert PKI Platform needs, checked and normalised.</summary>
        private int IntuneCheck(CommandLine cl)
        {
            var checks = new List<(string Field, Func<string, string> Check)>
            {
                ("ca-fqdn", IntuneRules.CaFqdn), ("ca-name", IntuneRules.CaName), ("profile-oid", IntuneRules.ProfileOid),
            };
            if (!checks.Any(c => cl.Has(c.Field))) throw CommandLine.Usage("Give --ca-fqdn, --ca-name and/or --profile-oid to check.");
            int failed = 0;
            foreach (var (field, check) in checks.Where(c => cl.Has(c.Field)))
            {
                try { _out.WriteLine($"{field,-12} {check(cl.Get(field)!)}  ok"); }
                catch (PscException ex)
                {
                    _err.WriteLine($"error: {ex.Message} [{ex.ErrorId}]");
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }

        private static RequestSpec RequestSpecFromFlags(CommandLine cl)
        {
            var algorithm = (cl.Get("key-algorithm") ?? "rsa").ToLowerInvariant().Replace("_", "-") switch
            {
                "rsa" => KeyAlgorithm.Rsa,
                "ecdsa-p256" or "p256" => KeyAlgorithm.EcdsaP256,
                "ecdsa-p384" or "p384" => KeyAlgorithm.EcdsaP384,
                var other => throw CommandLine.Usage($"--key-algorithm '{other}' should be rsa, ecdsa-p256 or ecdsa-p384."),
            };
            int length = cl.Int("key-length", 1, 16384) ?? KeyAlgorithms.DefaultLength(algorithm);
            var template = cl.Get("template");
            var hash = (cl.Get("hash") ?? "sha256").ToLowerInvariant().Replace("-", "") switch
            {
                "sha256" => SignatureHash.Sha256,
                "sha384" => SignatureHash.Sha384,
                "sha512" => SignatureHash.Sha512,
                var other => throw CommandLine.Usage($"--hash '{other}' should be sha256, sha384 or sha512."),
            };
            return new RequestSpec
            {
                Subject = cl.Get("subject") ?? "",
                KeyAlgorithm = algorithm,
                KeyLength = length,
                KeyUsage = cl.Get("key-usage") is string ku ? InfKeyUsage(ku) : 0,
                EnhancedKeyUsages = cl.All("eku"),
                SubjectAlternativeNames = cl.AllRaw("san").Select(SubjectAlternativeName.Parse).ToList(),
                HashAlgorithm = hash,
                Exportable = cl.Has("exportable"),
                MachineKeySet = cl.Has("machine-key-set"),
                FriendlyName = cl.Get("friendly-name"),
                CertificateTemplate = template,
                RequestAttributes = template == null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["CertificateTemplate"] = template },
            };
        }

        private static int InfKeyUsage(string text) =>
            InfParser.Parse($"[NewRequest]\nSubject = \"CN=x\"\nKeyUsage = {text}\n").Spec.KeyUsage;

        private int Submit(CommandLine cl)
        {
            var connector = cl.Require("connector", "the connector to submit to");
            var csrPath = cl.Get("csr") ?? cl.Positionals.FirstOrDefault() ?? throw CommandLine.Usage("--csr is required (the request file).");
            var template = cl.Get("template");
            var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in cl.AllRaw("attribute"))
            {
                int colon = pair.IndexOf(':');
                if (colon <= 0) throw CommandLine.Usage($"--attribute '{pair}' should be NAME:VALUE (e.g. SAN:dns=www.contoso.com).");
                attributes[pair.Substring(0, colon)] = pair.Substring(colon + 1);
            }
            var csr = ReadFile(csrPath, "request file");
            return Op(cl, false, (ws, s) => new OrderOperations(ws, s).Submit(connector, template, csr, attributes), single: true);
        }

        private static OrderQuery OrderFilter(CommandLine cl) => new OrderQuery
        {
            Connector = cl.Get("connector"),
            Status = cl.Enum<SubmitStatus>("status"),
        };

        /// <summary>The orders a command names: ids as arguments, --connector with --request-id, or every order in a state.</summary>
        private static IReadOnlyList<OrderRecord> Orders(CommandLine cl, Workspace ws, ICommandSink sink, SubmitStatus? defaultStatus, bool unfetchedOnly = false)
        {
            var operations = new OrderOperations(ws, sink);
            var connector = cl.Get("connector");
            var requestIds = cl.All("request-id");
            if (requestIds.Count > 0)
            {
                if (connector == null) throw CommandLine.Usage("--request-id needs --connector.");
                return requestIds.Select(r => operations.RequireOrder(connector, r)).ToList();
            }
            if (cl.Positionals.Count > 0)
            {
                var list = new List<OrderRecord>();
                foreach (var text in cl.Positionals)
                {
                    if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                        throw CommandLine.Usage($"'{text}' is not an order id (a number; see 'order list').");
                    var order = ws.Store.GetOrder(id);
                    if (order == null) sink.WriteError(new PscError("OrderNotFound", FailureCategory.ObjectNotFound, $"There is no order {id}.", id));
                    else list.Add(order);
                }
                return list;
            }
            if (defaultStatus == null || (defaultStatus == SubmitStatus.Issued && !cl.Has("all")))
                throw CommandLine.Usage("Name the orders: order ids as arguments, --connector with --request-id" + (defaultStatus == SubmitStatus.Issued ? ", or --all." : "."));
            return ws.Store.QueryOrders(new OrderQuery { Connector = connector, Status = defaultStatus })
                .Where(o => !unfetchedOnly || o.FetchedAt == null).ToList();
        }

        private int Import(CommandLine cl)
        {
            var names = new List<string>(cl.Positionals);
            if (cl.Get("connector") is string one) names.Add(one);
            bool all = cl.Has("all");
            if (names.Count == 0 && !all) throw CommandLine.Usage("Name the connector (--connector NAME) or use --all.");
            var options = new ImportOptions
            {
                Mode = cl.Has("full") ? ImportMode.Full : ImportMode.Incremental,
                BusinessUnit = cl.Get("business-unit"),
                Tags = cl.All("tag"),
                BatchSize = cl.Int("batch-size", 1, 100_000) ?? 500,
            };
            return Op(cl, false, (ws, s) =>
            {
                var targets = all ? ws.Store.ListConnectors().Where(c => c.ImportEnabled).Select(c => c.Name).ToList() : names;
                new ImportOperation(ws, s).Import(targets, options);
            });
        }

        private static CertificateQuery CertFilter(CommandLine cl) => new CertificateQuery
        {
            Connector = cl.Get("connector"),
            Status = cl.Enum<CertificateStatus>("status"),
            ExpiringWithinDays = cl.Int("expiring-within", 0, 36500),
            Name = cl.Get("name"),
            Tag = cl.Get("tag"),
            BusinessUnit = cl.Get("business-unit"),
            Template = cl.Get("template"),
            SerialNumber = cl.Get("serial"),
            Thumbprint = cl.Get("thumbprint"),
        };

        /// <param name="explicitSerial">The value came from --serial: a serial, whatever its length.</param>
        private static CertificateSelector Selector(CommandLine cl, string? idText, bool explicitSerial = false)
        {
            var connector = cl.Get("connector");
            var text = idText ?? throw CommandLine.Usage("Name the certificate by serial number or thumbprint.");
            var clean = text.Replace(" ", "").Replace(":", "");
            // A bare 40- or 64-digit value is taken as a thumbprint; --serial or --thumbprint says which it is.
            return !explicitSerial && clean.Length is 40 or 64 ? new CertificateSelector(null, clean, connector) : new CertificateSelector(text, null, connector);
        }

        private int CertShow(CommandLine cl)
        {
            var selector = Selector(cl, cl.Positionals.FirstOrDefault());
            return Op(cl, false, (ws, s) =>
            {
                var operations = new InventoryOperations(ws, s);
                try { s.WriteObject(operations.Find(selector)); }
                catch (PscException ex) { s.WriteError(ex); }
            }, single: true, render: sink =>
            {
                if (cl.Has("json")) { _out.WriteLine(Views.ToJson(sink.Objects, true)); return; }
                foreach (var c in sink.Objects.OfType<CertificateRecord>())
                {
                    void Line(string label, object? value) => _out.WriteLine($"{label,-18} {value}");
                    Line("Subject", c.Subject);
                    Line("SANs", string.Join(", ", c.SubjectAlternativeNames));
                    Line("Issuer", c.Issuer);
                    Line("Serial", c.SerialNumber);
                    Line("Thumbprint", c.Thumbprint);
                    Line("Thumbprint SHA256", c.ThumbprintSha256);
                    Line("Valid", $"{Views.Date(c.NotBefore)} to {Views.Date(c.NotAfter)} ({c.DaysToExpiry} days left)");
                    Line("Status", c.Status == CertificateStatus.Revoked ? $"Revoked {Views.Date(c.RevokedAt)} ({c.RevocationReason})" : c.Status.ToString());
                    Line("Template", c.Template);
                    Line("Connector", c.Connector);
                    Line("Business unit", c.BusinessUnit);
                    Line("Tags", string.Join(", ", c.Tags));
                    Line("Source", c.Source);
                    Line("Private key", c.HasPrivateKey ? "kept (protected)" : "not held here");
                }
            });
        }

        private int CertExport(CommandLine cl)
        {
            var selector = cl.Get("thumbprint") is string tp ? new CertificateSelector(null, tp, cl.Get("connector"))
                : cl.Get("serial") is string sn ? Selector(cl, sn, explicitSerial: true)
                : Selector(cl, cl.Positionals.FirstOrDefault());
            var format = cl.Enum<ExportFormat>("format") ?? ExportFormat.Pem;
            var outPath = cl.Require("out", "the file to write");
            var includeChain = cl.Has("chain");
            var password = format == ExportFormat.Pfx ? Secret(cl, "password-env", "password-file") : null;
            if (format == ExportFormat.Pfx && password == null) throw CommandLine.Usage("A PFX needs a password: --password-env VAR or --password-file FILE.");
            var file = new ExportFileOptions
            {
                Path = Path.GetFullPath(outPath), Overwrite = cl.Has("force"),
                PfxProtection = cl.Has("legacy-pfx") ? Core.Pkix.Pkcs12Protection.Legacy : Core.Pkix.Pkcs12Protection.Modern,
            };
            return Op(cl, false, (ws, s) => new InventoryOperations(ws, s).ExportToFile(selector, format, includeChain, password, file), render: sink =>
            {
                if (cl.Has("json")) { _out.WriteLine(Views.ToJson(sink.Objects, true)); return; }
                foreach (var e in sink.Objects.OfType<ExportedFile>())
                    _out.WriteLine($"Exported {e.Subject} ({e.Format.ToString().ToUpperInvariant()}{(e.IncludesChain ? " with chain" : "")}{(e.IncludesPrivateKey ? ", with private key" : "")}{(e.Protection.Length > 0 ? ", " + e.Protection : "")}) to {e.Path}");
            });
        }

        private int Revoke(CommandLine cl)
        {
            var reason = cl.Enum<RevocationReason>("reason") ?? throw CommandLine.Usage("--reason is required (e.g. key-compromise, superseded, certificate-hold, remove-from-crl).");
            DateTimeOffset? effective = null;
            if (cl.Get("effective-date") is string dateText)
            {
                if (!DateTimeOffset.TryParse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    throw CommandLine.Usage($"--effective-date '{dateText}' is not a date (e.g. 2026-11-22T10:00:00Z).");
                effective = parsed.ToUniversalTime();
            }
            var selectors = new List<CertificateSelector>();
            var connector = cl.Get("connector");
            foreach (var serial in cl.All("serial")) selectors.Add(Selector(cl, serial, explicitSerial: true));
            foreach (var value in cl.Positionals) selectors.Add(Selector(cl, value));
            foreach (var thumbprint in cl.All("thumbprint")) selectors.Add(new CertificateSelector(null, thumbprint, connector));
            if (selectors.Count == 0) throw CommandLine.Usage("Name the certificates to revoke: serial numbers as arguments, --serial or --thumbprint.");
            return Op(cl, true, (ws, s) => new InventoryOperations(ws, s).Revoke(selectors, reason, effective));
        }

        private int CrlShow(CommandLine cl)
        {
            var connector = ConnectorOption(cl);
            var outPath = cl.Get("out");
            bool publish = cl.Has("publish");
            return Op(cl, false, (ws, s) =>
            {
                var report = new CrlOperations(ws, s).Show(connector, publish);
                if (report != null && outPath != null && s.ShouldProcess(Path.GetFullPath(outPath), "Write file")) WriteFile(outPath, report.Der);
            }, single: true, render: sink =>
            {
                if (cl.Has("json")) { _out.WriteLine(Views.ToJson(sink.Objects, true)); return; }
                foreach (var r in sink.Objects.OfType<CrlReport>()) WriteCrl(_out, r, outPath);
            });
        }

        internal static void WriteCrl(TextWriter output, CrlReport r, string? outPath)
        {
            output.WriteLine($"CRL #{r.CrlNumber} of {r.Issuer}");
            output.WriteLine($"  this update {Views.Date(r.ThisUpdate)}, next update {Views.Date(r.NextUpdate)}, signature {(r.SignatureValid == true ? "valid" : r.SignatureValid == false ? "INVALID" : "not checked")}");
            output.WriteLine($"  {r.Entries.Count} revoked certificate(s)");
            foreach (var e in r.Entries)
                output.WriteLine($"    {e.SerialNumber}  {Views.Date(e.RevokedAt)}  {e.Reason?.ToString() ?? "(no reason)"}");
            if (outPath != null) output.WriteLine($"  written to {Path.GetFullPath(outPath)}");
        }
    }
}
