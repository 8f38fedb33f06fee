using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PSCertConnector.Core.Configuration;
using PSCertConnector.Core.Notifications;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// Configuration as code: connectors (with import and renewal settings) and notification rules exported as JSON
    /// without secrets, and imported again on this or another host. A secret is named by reference (an environment
    /// variable or a file, or given by the caller by name); importing twice changes nothing the second time.
    /// </summary>
    public sealed class ConfigurationOperations : OperationBase
    {
        public static readonly JsonSerializerOptions Json = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Converters = { new JsonStringEnumConverter() },
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };

        public ConfigurationOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <summary>The store's configuration. A setting this host would fill in by itself (an embedded CA's folder in this home) is left out.</summary>
        public ConfigurationDocument Export()
        {
            var connectors = Workspace.Store.ListConnectors().Select(c => new ConnectorEntry
            {
                ProxyUser = c.HasProxyCredential ? ProxyUserOf(c.Name) : null,
                Name = c.Name, Type = c.Type, Domain = c.Domain, BusinessUnit = c.BusinessUnit, Tags = c.Tags, Priority = c.Priority,
                ImportEnabled = c.ImportEnabled, ImportEvery = c.ImportEvery, ImportEveryUnit = c.ImportEveryUnit,
                Settings = WithoutHostDefaults(c),
                Secret = c.HasSecret ? new SecretReference { Env = VariableFor(c.Name) } : null,
            }).Select(e => e.ProxyUser == null ? e : e with { ProxySecret = new SecretReference { Env = ProxyVariableFor(e.Name) } }).ToList();
            var rules = Workspace.Store.ListNotificationRules().Select(r => new NotificationRuleEntry
            {
                Name = r.Name, Channel = r.Channel, Triggers = r.Triggers, Connector = r.Connector, Digest = r.Digest,
                SmtpServer = r.Channel == NotificationChannel.Smtp ? r.Target : null,
                From = r.Settings.TryGetValue("from", out var from) ? from : null,
                To = r.Settings.TryGetValue("to", out var to) ? NotificationSender.Recipients(to) : Array.Empty<string>(),
                Username = r.Settings.TryGetValue("username", out var user) ? user : null,
                Tls = r.Settings.TryGetValue("tls", out var tls) ? tls : null,
                Command = r.Channel == NotificationChannel.Command ? r.Target : null,
                Secret = r.HasSecret ? new SecretReference { Env = VariableFor(r.Name) } : null,
            }).ToList();
            var document = new ConfigurationDocument { Connectors = connectors, NotificationRules = rules };
            Sink.WriteObject(document);
            return document;
        }

        public static string ToJson(ConfigurationDocument document) => JsonSerializer.Serialize(document, Json);

        /// <summary>Writes the store's configuration to a file (whole or not at all); returns it, or null when -WhatIf said no.</summary>
        public FileInfo? ExportToFile(string path, bool overwrite)
        {
            var full = Workspace.FullPath(path);
            OutputFile.Check(full, overwrite);
            var json = ToJson(new ConfigurationOperations(Workspace, new SinkWithoutObjects(Sink)).Export());
            if (!Sink.ShouldProcess(full, "Write the connector configuration")) return null;
            Infrastructure.AtomicFile.Write(full, Encoding.UTF8.GetBytes(json + "\n"));
            var file = new FileInfo(full);
            Sink.WriteObject(file);
            return file;
        }

        /// <summary>The variable an exported reference names: PSC_SECRET_ and the name in capitals, other characters as '_'.</summary>
        /// <summary>PSC_PROXY_SECRET_NAME: no connector or rule name gives it, as theirs all begin PSC_SECRET_.</summary>
        public static string ProxyVariableFor(string name) => "PSC_PROXY_" + VariableFor(name).Substring("PSC_".Length);

        public static string VariableFor(string name) =>
            "PSC_SECRET_" + new string(name.ToUpperInvariant().Select(ch => ch is >= 'A' and <= 'Z' or >= '0' and <= '9' ? ch : '_').ToArray());

        /// <summary>Reads a document, naming the field that is wrong (connectors[1].type, say).</summary>
        public static ConfigurationDocument Parse(string json, string what)
        {
            ConfigurationDocument? document;
            try { document = JsonSerializer.Deserialize<ConfigurationDocument>(json, Json); }
            catch (JsonException ex)
            {
                throw new PscException("InvalidConfiguration", FailureCategory.InvalidData,
                    $"{what} is not a PSCertConnector configuration: {(ex.Path is { Length: > 0 } path ? $"at {path}: " : "")}{DisplayText.Escape(FirstSentence(ex.Message), 200)}");
            }
            if (document == null) throw new PscException("InvalidConfiguration", FailureCategory.InvalidData, $"{what} is empty (null).");
            if (document.Version != ConfigurationDocument.CurrentVersion)
                throw new PscException("InvalidConfiguration", FailureCategory.InvalidData, $"{what} has version {document.Version}; this PSCertConnector reads version {ConfigurationDocument.CurrentVersion}.");
            // An explicit null where a list or object belongs is a field error, not a crash later.
            if (document.Connectors == null) throw Field(what, "connectors", "a list of connectors (or leave it out)");
            if (document.NotificationRules == null) throw Field(what, "notificationRules", "a list of rules (or leave it out)");
            for (int i = 0; i < document.Connectors.Count; i++)
            {
                if (document.Connectors[i] == null) throw Field(what, $"connectors[{i}]", "a connector");
                if (document.Connectors[i].Settings == null) throw Field(what, $"connectors[{i}].settings", "an object of settings (or leave it out)");
                if (document.Connectors[i].Tags == null) throw Field(what, $"connectors[{i}].tags", "a list of tags (or leave it out)");
                if (string.IsNullOrWhiteSpace(document.Connectors[i].Name)) throw Field(what, $"connectors[{i}].name", "a connector name");
                if (string.IsNullOrWhiteSpace(document.Connectors[i].Type)) throw Field(what, $"connectors[{i}].type", "a connector type");
            }
            for (int i = 0; i < document.NotificationRules.Count; i++)
            {
                if (document.NotificationRules[i] == null) throw Field(what, $"notificationRules[{i}]", "a rule");
                if (string.IsNullOrWhiteSpace(document.NotificationRules[i].Name)) throw Field(what, $"notificationRules[{i}].name", "a rule name");
                if (document.NotificationRules[i].Triggers == null) throw Field(what, $"notificationRules[{i}].triggers", "what the rule tells about");
                if (document.NotificationRules[i].To == null) throw Field(what, $"notificationRules[{i}].to", "a list of recipients (or leave it out)");
            }
            return document;
        }

        /// <summary>
        /// Brings the store to the document: connectors first (rules may name them), each added or updated, or left alone
        /// when it already matches. One that cannot be applied is an error for it and the others go on.
        /// </summary>
        /// <param name="secrets">Secrets the caller holds by name (PowerShell credentials), used before the document's references.</param>
        public IReadOnlyList<ConfigurationChange> Import(ConfigurationDocument document, IReadOnlyDictionary<string, string>? secrets = null)
        {
            var changes = new List<ConfigurationChange>();
            foreach (var entry in document.Connectors)
                ForItem(entry.Name, () =>
                {
                    var action = ApplyConnector(entry, Secret(entry.Name, entry.Secret, secrets), ProxySecret(entry, secrets));
                    if (action != null) Report(changes, new ConfigurationChange("Connector", entry.Name, action.Value));
                });
            foreach (var entry in document.NotificationRules)
                ForItem(entry.Name, () =>
                {
                    var secret = Secret(entry.Name, entry.Secret, secrets);
                    var action = new NotificationOperations(Workspace, Sink).Save(new NotificationRuleRequest
                    {
                        Name = entry.Name, Channel = entry.Channel, SmtpServer = entry.SmtpServer, From = entry.From, To = entry.To, Username = entry.Username,
                        Password = entry.Channel == NotificationChannel.Smtp ? secret : null, Tls = entry.Tls ?? "auto",
                        WebhookUrl = entry.Channel == NotificationChannel.Webhook ? secret ?? KeptWebhook(entry.Name) : null,
                        Command = entry.Command, Triggers = entry.Triggers, Connector = entry.Connector, Digest = entry.Digest,
                    });
                    if (action != null) Report(changes, new ConfigurationChange("NotificationRule", entry.Name, action.Value));
                });
            return changes;
        }

        private void Report(List<ConfigurationChange> changes, ConfigurationChange change)
        {
            changes.Add(change);
            Sink.WriteObject(change);
        }

        /// <summary>The proxy account's user name (the password stays where it is).</summary>
        private string? ProxyUserOf(string connector)
        {
            ConnectorSecrets secrets;
            try { secrets = Workspace.Store.GetConnectorSecrets(connector); }
            catch (PscException ex)
            {
                // A host without the store's key still exports everything else; only the proxy account cannot be named.
                Sink.WriteWarning($"The proxy account of connector '{connector}' is left out of the export: {ex.Message}");
                return null;
            }
            var account = secrets.ProxyCredential;
            if (secrets.ProxySecret != null) Array.Clear(secrets.ProxySecret, 0, secrets.ProxySecret.Length);
            if (secrets.Secret != null) Array.Clear(secrets.Secret, 0, secrets.Secret.Length);
            return account == null ? null : ConnectorSecrets.UserOf(account);
        }

        /// <summary>The proxy account as stored ("user\npassword"), from the entry's user and its password given or referenced; null when none.</summary>
        private byte[]? ProxySecret(ConnectorEntry entry, IReadOnlyDictionary<string, string>? secrets)
        {
            var password = Secret(entry.Name + ":proxy", entry.ProxySecret, secrets);
            if (password == null) return null;
            if (string.IsNullOrEmpty(entry.ProxyUser))
                throw new PscException("InvalidConfiguration", FailureCategory.InvalidData, $"Connector '{entry.Name}': proxySecret is given but proxyUser is missing; expected the proxy account's name.") { Target = entry.Name };
            return ConnectorSecrets.EncodeAccount(entry.ProxyUser!, password);
        }

        private ConfigurationAction? ApplyConnector(ConnectorEntry entry, string? secret, byte[]? proxySecret)
        {
            var existing = Workspace.Store.GetConnector(entry.Name);
            var secretBytes = secret == null ? null : Encoding.UTF8.GetBytes(secret);
            try
            {
                var step = new ConfirmedStepSink(Sink);
                if (existing == null)
                {
                    if (!Sink.ShouldProcess($"connector '{entry.Name}' ({entry.Type})", "Create")) return null;
                    new ConnectorOperations(Workspace, step).Add(new ConnectorDefinition
                    {
                        Name = entry.Name, Type = entry.Type, Domain = entry.Domain, BusinessUnit = entry.BusinessUnit, Tags = entry.Tags, Priority = entry.Priority,
                        ImportEnabled = entry.ImportEnabled, ImportEvery = entry.ImportEvery, ImportEveryUnit = entry.ImportEveryUnit, Settings = entry.Settings,
                    }, secretBytes, proxySecret: proxySecret);
                    return step.Errors == 0 ? ConfigurationAction.Added : null;
                }
                if (!existing.Type.Equals(entry.Type, StringComparison.OrdinalIgnoreCase))
                    throw new PscException("ConnectorTypeDiffers", FailureCategory.InvalidArgument,
                        $"Connector '{entry.Name}' is of type '{existing.Type}' here and '{entry.Type}' in the configuration; a connector's type cannot change. Remove it first, or rename one.") { Target = entry.Name };
                // Settings the configuration leaves out are kept when this host filled them in (an embedded CA's folder), removed otherwise.
                var defaults = WithoutHostDefaults(existing);
                var settings = existing.Settings.Where(p => defaults.ContainsKey(p.Key) && !entry.Settings.ContainsKey(p.Key)).ToDictionary(p => p.Key, _ => "");
                foreach (var pair in entry.Settings) settings[pair.Key] = pair.Value;
                // An empty domain or business unit and none are the same (clearing one stores it empty).
                bool same = (existing.Domain ?? "") == (entry.Domain ?? "") && (existing.BusinessUnit ?? "") == (entry.BusinessUnit ?? "") && existing.Tags.SequenceEqual(entry.Tags)
                            && existing.Priority == entry.Priority && existing.ImportEnabled == entry.ImportEnabled && existing.ImportEvery == entry.ImportEvery
                            && existing.ImportEveryUnit == entry.ImportEveryUnit
                            && settings.All(p => p.Value.Length == 0 ? !existing.Settings.ContainsKey(p.Key) : existing.Settings.TryGetValue(p.Key, out var v) && v == p.Value);
                if (same && (secretBytes != null || proxySecret != null))
                {
                    var kept = Workspace.Store.GetConnectorSecrets(existing.Name);
                    same = (secretBytes == null || (kept.Secret != null && kept.Secret.AsSpan().SequenceEqual(secretBytes)))
                        && (proxySecret == null || (kept.ProxySecret != null && kept.ProxySecret.AsSpan().SequenceEqual(proxySecret)));
                    foreach (var plain in new[] { kept.Secret, kept.ProxySecret }) if (plain != null) Array.Clear(plain, 0, plain.Length);
                }
                if (same) return ConfigurationAction.Unchanged;
                if (!Sink.ShouldProcess($"connector '{entry.Name}' ({entry.Type})", "Update")) return null;
                new ConnectorOperations(Workspace, step).Update(existing.Name, new ConnectorChanges
                {
                    Domain = entry.Domain ?? "", BusinessUnit = entry.BusinessUnit ?? "", Tags = entry.Tags, Priority = entry.Priority, ImportEnabled = entry.ImportEnabled,
                    ImportEvery = entry.ImportEvery, ImportEveryUnit = entry.ImportEveryUnit, Settings = settings, ProxySecret = proxySecret,
                }, secretBytes, passThru: false);
                return step.Errors == 0 ? ConfigurationAction.Updated : null;
            }
            finally
            {
                if (secretBytes != null) Array.Clear(secretBytes, 0, secretBytes.Length);
                if (proxySecret != null) Array.Clear(proxySecret, 0, proxySecret.Length);
            }
        }

        /// <summary>The settings as stored, less those this host's connector type fills in by itself when they are missing.</summary>
        private IReadOnlyDictionary<string, string> WithoutHostDefaults(ConnectorDefinition connector)
        {
            var type = Workspace.Registry.Get(connector.Type);
            var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in connector.Settings)
            {
                var without = connector with { Settings = connector.Settings.Where(p => p.Key != pair.Key).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase) };
                if (type.Prepare(without, Workspace.Home).Settings.TryGetValue(pair.Key, out var filled) && filled == pair.Value) continue;
                kept[pair.Key] = pair.Value;
            }
            return kept;
        }

        private string? KeptWebhook(string rule)
        {
            var kept = Workspace.Store.GetNotificationRule(rule) is { HasSecret: true } ? Workspace.Store.GetNotificationSecret(rule) : null;
            if (kept == null) return null;
            try { return Encoding.UTF8.GetString(kept); }
            finally { Array.Clear(kept, 0, kept.Length); }
        }

        private string? Secret(string name, SecretReference? reference, IReadOnlyDictionary<string, string>? given)
        {
            if (given != null && given.TryGetValue(name, out var value)) return value;
            if (reference == null) return null;
            if (reference.Env != null && reference.File != null)
                throw new PscException("InvalidConfiguration", FailureCategory.InvalidData, $"The secret of '{name}' names both an environment variable and a file; give one.") { Target = name };
            if (reference.Env != null)
                return Environment.GetEnvironmentVariable(reference.Env) is { Length: > 0 } fromEnv ? fromEnv
                    : throw new PscException("SecretNotSet", FailureCategory.InvalidArgument,
                        $"The secret of '{name}' comes from the environment variable '{reference.Env}', which is not set. Set it, or give the secret by name ({UserText.Command("--secret-env NAME=VAR", "-Secret @{ '" + name + "' = $credential }")}).") { Target = name };
            if (reference.File != null)
            {
                var path = Workspace.FullPath(reference.File);
                return File.Exists(path) ? File.ReadAllText(path).TrimEnd('\r', '\n')
                    : throw new PscException("SecretNotSet", FailureCategory.InvalidArgument, $"The secret of '{name}' comes from the file '{path}', which does not exist.") { Target = name };
            }
            return null;
        }

        private static PscException Field(string what, string field, string expected) =>
            new PscException("InvalidConfiguration", FailureCategory.InvalidData, $"{what}: {field} is missing or empty; expected {expected}.") { Target = field };

        private static string FirstSentence(string message) => message.Split(new[] { ". " }, 2, StringSplitOptions.None)[0];
    }
}
