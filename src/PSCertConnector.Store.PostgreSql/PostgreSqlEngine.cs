using System;
using Npgsql;
using PSCertConnector.Core;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Store.PostgreSql
{
    /// <summary>Opens the shared store; found by name from the core (see SqlEngines).</summary>
    public sealed class PostgreSqlEngine : ISqlEngine
    {
        public SqlDatabase Open(string connectionString, string? password)
        {
            NpgsqlConnectionStringBuilder builder;
            try { builder = new NpgsqlConnectionStringBuilder(connectionString); }
            catch (ArgumentException ex)
            {
                throw new PscException("StoreConnectionInvalid", FailureCategory.InvalidArgument,
                    $"The store's connection string is not one Npgsql accepts: {ex.Message}");
            }
            if (password != null) builder.Password = password;
            if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "PSCertConnector";
            // The store's statements are few and repeated per row: let Npgsql prepare them on the server.
            if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
            return PostgreSqlDatabase.Open(builder);
        }
    }
}
