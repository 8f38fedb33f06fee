using System;
using System.Data.Common;
using System.IO;
using System.Text.Json;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Core.Store
{
    /// <summary>
    /// Where the inventory lives: SQLite in the home (the default), or a PostgreSQL database several hosts share, named
    /// by an Npgsql connection string in PSCERTCONNECTOR_STORE or in the home's store.json. The password comes from a
    /// file or an environment variable, never the command line; a shared store's secrets are protected with a key
    /// file every host holds a copy of.
    /// </summary>
    public sealed class StoreSettings
    {
        public const string EnvironmentVariable = "PSCERTCONNECTOR_STORE";
        public const string PasswordFileVariable = "PSCERTCONNECTOR_STORE_PASSWORD_FILE";
        public const string PasswordVariable = "PSCERTCONNECTOR_STORE_PASSWORD";
        public const string KeyFileVariable = KeyFileSecretProtector.StoreKeyVariable;
        public const string FileName = "store.json";

        /// <summary>The Npgsql connection string of a shared store; null for SQLite in the home.</summary>
        public string? ConnectionString { get; private set; }
        public string? PasswordFile { get; private set; }
        /// <summary>The shared key file; null protects secrets with the home's own key (then only this host reads them).</summary>
        public string? KeyFile { get; private set; }
        /// <summary>"environment", "home configuration" or "default".</summary>
        public string Source { get; private set; } = "default";

        public bool IsShared => ConnectionString != null;

        /// <summary>The home's own SQLite inventory.</summary>
        public static StoreSettings HomeDefault => new StoreSettings();

        /// <summary>The environment first, then the home's store.json, else SQLite in the home.</summary>
        public static StoreSettings Resolve(string home)
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            var settings = new StoreSettings();
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                settings.ConnectionString = CheckConnectionString(fromEnvironment!, EnvironmentVariable, allowPassword: true);
                settings.Source = "environment";
            }
            else if (File.Exists(Path.Combine(home, FileName)))
            {
                settings = ReadFile(Path.Combine(home, FileName));
            }
            var passwordFile = Environment.GetEnvironmentVariable(PasswordFileVariable);
            if (!string.IsNullOrWhiteSpace(passwordFile)) settings.PasswordFile = passwordFile;
            var keyFile = Environment.GetEnvironmentVariable(KeyFileVariable);
            if (!string.IsNullOrWhiteSpace(keyFile)) settings.KeyFile = Path.GetFullPath(keyFile);
            return settings;
        }

        /// <summary>A shared store given in code (a host program or a test); the connection string may hold the password.</summary>
        public static StoreSettings Shared(string connectionString, string? passwordFile = null, string? keyFile = null) => new StoreSettings
        {
            ConnectionString = CheckConnectionString(connectionString, "the connection string", allowPassword: true),
            PasswordFile = passwordFile,
            KeyFile = keyFile == null ? null : Path.GetFullPath(keyFile),
            Source = "program",
        };

        /// <summary>Settings to save in a home's store.json (a password in the connection string is refused: it would rest on disk).</summary>
        public static StoreSettings ForHome(string connectionString, string? passwordFile, string? keyFile) => new StoreSettings
        {
            ConnectionString = CheckConnectionString(connectionString, "--connection", allowPassword: false),
            PasswordFile = passwordFile == null ? null : Path.GetFullPath(passwordFile),
            KeyFile = keyFile == null ? null : Path.GetFullPath(keyFile),
            Source = "home configuration",
        };

        public void SaveTo(string home)
        {
            var json = JsonSerializer.Serialize(new StoreFile { Connection = ConnectionString, PasswordFile = PasswordFile, KeyFile = KeyFile },
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
            AtomicFile.Write(Path.Combine(home, FileName), System.Text.Encoding.UTF8.GetBytes(json), ownerOnly: true);
        }

        /// <summary>The password for the connection: inline in the environment's connection string, or from the file or variable.</summary>
        internal string? ReadPassword()
        {
            if (PasswordFile != null)
            {
                try { return File.ReadAllText(PasswordFile).TrimEnd('\r', '\n'); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new PscException("StorePasswordUnreadable", FailureCategory.ReadError,
                        $"The store's password file '{PasswordFile}' cannot be read: {ex.Message}") { Target = PasswordFile };
                }
            }
            var fromEnvironment = Environment.GetEnvironmentVariable(PasswordVariable);
            return string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment;
        }

        /// <summary>Host, port, database and user: what errors and status may show.</summary>
        public string Describe()
        {
            if (ConnectionString == null) return "SQLite in the home";
            var builder = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
            string Part(string key, string fallback) => builder.TryGetValue(key, out var value) && value != null ? value.ToString()! : fallback;
            return $"PostgreSQL {Part("Host", "localhost")}:{Part("Port", "5432")}/{Part("Database", Part("Username", "postgres"))} as {Part("Username", "(default user)")}";
        }

        private static string CheckConnectionString(string value, string field, bool allowPassword)
        {
            DbConnectionStringBuilder builder;
            try { builder = new DbConnectionStringBuilder { ConnectionString = value }; }
            catch (ArgumentException)
            {
                throw new PscException("StoreConnectionInvalid", FailureCategory.InvalidArgument,
                    $"{field} should be an Npgsql connection string such as 'Host=db01;Port=5432;Database=pscertconnector;Username=psc'; it could not be read as one.");
            }
            if (!builder.ContainsKey("Host"))
                throw new PscException("StoreConnectionInvalid", FailureCategory.InvalidArgument,
                    $"{field} names no Host: give an Npgsql connection string such as 'Host=db01;Database=pscertconnector;Username=psc'.");
            if (!allowPassword && (builder.ContainsKey("Password") || builder.ContainsKey("Pwd")))
                throw new PscException("StorePasswordInline", FailureCategory.InvalidArgument,
                    $"{field} holds a password, which would rest on disk in the home's {FileName}. Put it in a file readable only by the service account and give that file instead (--password-file).");
            return value;
        }

        private static StoreSettings ReadFile(string path)
        {
            StoreFile? file;
            try { file = JsonSerializer.Deserialize<StoreFile>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }); }
            catch (JsonException ex)
            {
                throw new PscException("StoreConfigurationInvalid", FailureCategory.InvalidData,
                    $"The store configuration '{path}' is not valid JSON (line {ex.LineNumber + 1}). Fix it, or remove it to use SQLite in the home.") { Target = path };
            }
            if (file?.Connection == null)
                return new StoreSettings { Source = "home configuration" };
            return new StoreSettings
            {
                ConnectionString = CheckConnectionString(file.Connection, path, allowPassword: false),
                PasswordFile = file.PasswordFile,
                KeyFile = file.KeyFile,
                Source = "home configuration",
            };
        }

        private sealed class StoreFile
        {
            public string? Connection { get; set; }
            public string? PasswordFile { get; set; }
            public string? KeyFile { get; set; }
        }
    }
}
