using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>Finds the engines that live outside the core, by assembly name, in the caller's load context.</summary>
    public static class SqlEngines
    {
        public const string PostgreSqlAssembly = "PSCertConnector.Store.PostgreSql";
        public const string PostgreSqlEngineType = "PSCertConnector.Store.PostgreSql.PostgreSqlEngine";

        public static SqlDatabase OpenPostgreSql(string connectionString, string? password)
        {
            // Windows PowerShell 5.1 runs on .NET Framework, which Npgsql 10 does not support.
            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
                throw new PscException("StoreEngineUnavailable", FailureCategory.NotImplemented,
                    "A PostgreSQL store needs PowerShell 7 or the certconnector CLI; Windows PowerShell 5.1 keeps the inventory in SQLite. " +
                    "Run this in pwsh, or clear PSCERTCONNECTOR_STORE in this session to use the home's SQLite inventory.");
            Assembly assembly;
            try { assembly = Assembly.Load(new AssemblyName(PostgreSqlAssembly)); }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                throw new PscException("StoreEngineUnavailable", FailureCategory.ObjectNotFound,
                    $"The PostgreSQL engine ({PostgreSqlAssembly}) is not installed beside PSCertConnector: {ex.Message}", ex);
            }
            var engine = (ISqlEngine)Activator.CreateInstance(assembly.GetType(PostgreSqlEngineType, throwOnError: true)!)!;
            return engine.Open(connectionString, password);
        }
    }
}
