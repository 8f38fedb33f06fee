using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    public sealed class ConnectorOperations : OperationBase
    {
        private static readonly Regex ValidName = new Regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.Compiled);

        public ConnectorOperations(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <param name="user">The account of a credential given with the secret (PowerShell's -Credential): it becomes the 'user' setting unless one is given.</param>
        /// <param name="proxySecret">The account of the proxy the connector goes through ("user\npassword"), or null.</param>
        public void Add(ConnectorDefinition definition, byte[]? secret, string? user = null, byte[]? proxySecret = null)
        {
            ForItem(definition.Name, () =>
            {
                definition = WithAbsolutePaths(WithUser(definition, user), definition.Settings.Keys);
                Validate(definition);
                if (proxySecret != null) RequireProxy(definition);
                if (Workspace.Store.GetConnector(definition.Name) != null)
                    throw new PscException("ConnectorExists", FailureCategory.ResourceExists,
                        $"A connector named '{definition.Name}' already exists. Choose another name or change it with {UserText.Command("connector set", "Set-CaConnector")}.") { Target = definition.Name };
                if (!Sink.ShouldProcess($"connector '{definition.Name}' ({definition.Type})", "Create")) return;
                var added = Workspace.Store.AddConnector(Workspace.Registry.Get(definition.Type).Prepare(definition, Workspace.Home), secret, proxySecret);
                try
                {
                    // Open it once now so that a misconfiguration fails here, not at first use (the embedded CA is created here).
                    Sink.WriteVerbose($"Opening connector '{added.Name}'.");
                    Workspace.Connect(added, creating: true);
                }
                catch
                {
                    Workspace.Store.RemoveConnector(added.Name);
                    throw;
                }
                Sink.WriteObject(added);
            });
        }

        public void List(string? namePattern)
        {
            var regex = namePattern == null ? null : Wildcard.ToRegex(namePattern);
            var found = Workspace.Store.ListConnectors().Where(c => regex == null || regex.IsMatch(c.Name)).ToList();
            if (found.Count == 0 && namePattern != null && regex != null && !Wildcard.Has(namePattern))
            {
                Sink.WriteError(new PscError("ConnectorNotFound", FailureCategory.ObjectNotFound,
                    $"No connector is named '{namePattern}'.", namePattern));
                return;
            }
            foreach (var connector in found) Sink.WriteObject(connector);
        }

        /// <param name="passThru">Write the updated connector (Set-CaConnector -PassThru; the CLI always shows it).</param>
        public void Update(string name, ConnectorChanges changes, byte[]? newSecret, bool passThru = true, string? user = null)
        {
            ForItem(name, () =>
            {
                var current = Workspace.RequireConnector(name);
                var settings = current.Settings.ToDictionary(k => k.Key, k => k.Value, StringComparer.OrdinalIgnoreCase);
                if (!string.IsNullOrEmpty(user) && changes.Settings?.ContainsKey(UserSetting) != true)
                {
                    RequireAccounts(current);
                    settings[UserSetting] = user!;
                }
                if (changes.Settings != null)
                    foreach (var pair in changes.Settings)
                    {
                        if (string.IsNullOrEmpty(pair.Value)) settings.Remove(pair.Key);
                        else settings[pair.Key] = pair.Value;
                    }
                var updated = current with
                {
                    Name = changes.NewName ?? current.Name,
                    Domain = changes.Domain ?? current.Domain,
                    BusinessUnit = changes.BusinessUnit ?? current.BusinessUnit,
                    Tags = changes.Tags ?? current.Tags,
                    Priority = changes.Priority ?? current.Priority,
                    ImportEnabled = changes.ImportEnabled ?? current.ImportEnabled,
                    ImportEvery = changes.ImportEvery ?? current.ImportEvery,
                    ImportEveryUnit = changes.ImportEveryUnit ?? current.ImportEveryUnit,
                    Settings = settings,
                };
                updated = WithAbsolutePaths(updated, changes.Settings?.Keys ?? Enumerable.Empty<string>());
                Validate(updated);
                if (changes.ProxySecret != null) RequireProxy(updated);
                foreach (var key in Workspace.Registry.Get(current.Type).FixedSettings)
                {
                    current.Settings.TryGetValue(key, out var before);
                    updated.Settings.TryGetValue(key, out var after);
                    if (before != after)
                        throw new PscException("SettingFixed", FailureCategory.InvalidArgument,
                            $"The setting '{key}' of connector '{name}' cannot change once the connector exists: it would point the connector at another CA.") { Target = key };
                }
                if (changes.NewName != null && !changes.NewName.Equals(name, StringComparison.OrdinalIgnoreCase)
                    && Workspace.Store.GetConnector(changes.NewName) != null)
                    throw new PscException("ConnectorExists", FailureCategory.ResourceExists, $"A connector named '{changes.NewName}' already exists.") { Target = changes.NewName };
                if (!Sink.ShouldProcess($"connector '{name}'", "Update")) return;
                Workspace.Disconnect(name);
                if (changes.ClearProxySecret && changes.ProxySecret != null)
                    throw new PscException("InvalidArgument", FailureCategory.InvalidArgument, "Give a new proxy account or clear it, not both.") { Target = name };
                var stored = Workspace.Store.UpdateConnector(updated, newSecret, changes.ProxySecret, changes.ClearProxySecret);
                if (passThru) Sink.WriteObject(stored);
            });
        }

        public void Remove(IEnumerable<string> names)
        {
            foreach (var name in names)
            {
                ForItem(name, () =>
                {
                    var connector = Workspace.RequireConnector(name);
                    if (!Sink.ShouldProcess($"connector '{connector.Name}' ({connector.Type})", "Remove")) return;
                    Workspace.Disconnect(connector.Name);
                    Workspace.Store.RemoveConnector(connector.Name);
                    Sink.WriteVerbose($"Removed connector '{connector.Name}'. Its orders and certificates stay in the inventory.");
                });
            }
        }

        public void Test(IEnumerable<string> names)
        {
            foreach (var name in names)
            {
                ForItem(name, () =>
                {
                    var definition = Workspace.RequireConnector(name);
                    var watch = Stopwatch.StartNew();
                    ConnectorTestReport report;
                    ICaConnector? connector = null;
                    try
                    {
                        connector = Workspace.Connect(definition);
                        var result = connector.Test(Sink.Cancellation);
                        report = new ConnectorTestReport(definition.Name, definition.Type, result.Success, result.Message, (int)result.Elapsed.TotalMilliseconds, connector.Route);
                    }
                    catch (PscException ex) when (ex.Category is FailureCategory.ConnectionError or FailureCategory.OperationTimeout
                                                  or FailureCategory.PermissionDenied or FailureCategory.SecurityError)
                    {
                        // A failed test is an answer about the connector, not an error of the command.
                        report = new ConnectorTestReport(definition.Name, definition.Type, false, ex.Message, (int)watch.ElapsedMilliseconds, connector?.Route);
                    }
                    Sink.WriteObject(report);
                });
            }
        }

        /// <summary>A proxy account is only taken by a connector type that goes over HTTPS (and so can use a proxy).</summary>
        private void RequireProxy(ConnectorDefinition d)
        {
            if (!Workspace.Registry.Get(d.Type).Settings.ContainsKey(Protocols.ProxyRoute.ProxySetting))
                throw new PscException("ProxyNotUsed", FailureCategory.InvalidArgument,
                    $"A '{d.Type}' connector does not go over HTTPS, so it uses no proxy and takes no proxy credential.") { Target = d.Name };
        }

        private void Validate(ConnectorDefinition d)
        {
            if (!ValidName.IsMatch(d.Name))
                throw new PscException("InvalidConnectorName", FailureCategory.InvalidArgument,
                    $"The connector name '{d.Name}' should be 1–64 letters, digits, '.', '-' or '_', starting with a letter or digit.") { Target = d.Name };
            if (d.Priority < 1 || d.Priority > 10)
                throw new PscException("InvalidPriority", FailureCategory.InvalidArgument, $"Priority {d.Priority} is out of range: use 1 (tried first) to 10.") { Target = d.Name };
            if (d.ImportEvery < 1)
                throw new PscException("InvalidImportFrequency", FailureCategory.InvalidArgument, $"The import frequency must be at least 1 {d.ImportEveryUnit.ToString().ToLowerInvariant()}.") { Target = d.Name };
            Workspace.Registry.Get(d.Type).Validate(d);
            RenewalPolicy.Validate(d.Settings);
            ImportSelection.FromSettings(d.Settings);
            ApprovalPolicy.Validate(d.Settings);
        }

        /// <summary>File and folder settings among those given, made absolute: the connector must work from any folder later.</summary>
        private ConnectorDefinition WithAbsolutePaths(ConnectorDefinition definition, IEnumerable<string> given)
        {
            var keys = given.Where(k => ConnectorRegistry.FileSettings.Contains(k) && definition.Settings.TryGetValue(k, out var v) && !string.IsNullOrEmpty(v)).ToList();
            if (keys.Count == 0) return definition;
            var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in definition.Settings) settings[pair.Key] = pair.Value;
            foreach (var key in keys)
            {
                try { settings[key] = Workspace.FullPath(settings[key]); }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException or System.IO.PathTooLongException)
                {
                    throw new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"The setting {key} is not a usable path ({ex.Message}).") { Target = key };
                }
            }
            return definition with { Settings = settings };
        }

        private const string UserSetting = "user";

        private ConnectorDefinition WithUser(ConnectorDefinition definition, string? user)
        {
            if (string.IsNullOrEmpty(user) || definition.Settings.ContainsKey(UserSetting)) return definition;
            RequireAccounts(definition);
            var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in definition.Settings) settings[pair.Key] = pair.Value;
            settings[UserSetting] = user!;
            return definition with { Settings = settings };
        }

        /// <summary>A credential's account only means something to a type that signs in with one (the 'user' setting).</summary>
        private void RequireAccounts(ConnectorDefinition definition)
        {
            if (Workspace.Registry.Get(definition.Type).Settings.ContainsKey(UserSetting)) return;
            throw new PscException("CredentialNotApplicable", FailureCategory.InvalidArgument,
                $"A '{definition.Type}' connector signs in with no account, so a credential does not apply: leave it out" +
                (definition.Type.StartsWith("digicert", StringComparison.OrdinalIgnoreCase) ? " and give the API key as the secret instead." : ".")) { Target = definition.Name };
        }

    }
}
