using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;
using PSCertConnector.Core;
using PSCertConnector.Core.Infrastructure;

namespace PSCertConnector.Store.PostgreSql
{
    /// <summary>One connection to the shared PostgreSQL store.</summary>
    public sealed class PostgreSqlDatabase : SqlDatabase
    {
        // Any fixed number: the advisory lock every host takes before it changes the schema.
        private const long MigrationLock = 0x50534343_4F4E4E;
        private readonly NpgsqlConnection _connection;

        private PostgreSqlDatabase(NpgsqlConnection connection, string location)
        {
            _connection = connection;
            Location = location;
        }

        public override string Engine => "PostgreSQL";
        public override string Location { get; }
        public override SqlDialect Dialect => SqlDialect.PostgreSql;

        /// <summary>The open connection, for the bulk paths that use COPY.</summary>
        public NpgsqlConnection Connection => _connection;

        internal static PostgreSqlDatabase Open(NpgsqlConnectionStringBuilder builder)
        {
            var location = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
            var connection = new NpgsqlConnection(builder.ConnectionString);
            try
            {
                connection.Open();
                return new PostgreSqlDatabase(connection, location);
            }
            catch (PostgresException ex) when (ex.SqlState is "28P01" or "28000")
            {
                connection.Dispose();
                throw new PscException("StoreAuthenticationFailed", FailureCategory.SecurityError,
                    $"The shared inventory ({location}) refused user '{builder.Username}': {ex.MessageText}. " +
                    $"Check the password in {Core.Store.StoreSettings.PasswordFileVariable} (a file) or {Core.Store.StoreSettings.PasswordVariable}.", ex) { Target = location };
            }
            catch (PostgresException ex)
            {
                connection.Dispose();
                throw new PscException("StoreUnusable", FailureCategory.ConnectionError,
                    $"The shared inventory ({location}) cannot be opened: {ex.MessageText} (PostgreSQL {ex.SqlState}).", ex) { Target = location };
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
            {
                connection.Dispose();
                throw new PscException("StoreUnreachable", FailureCategory.ConnectionError,
                    $"The shared inventory ({location}) cannot be reached: {ex.Message} Check the host, the port and that the server accepts connections from this host.", ex) { Target = location };
            }
        }

        protected override DbTransaction BeginTransaction() => _connection.BeginTransaction();

        // A broken connection cannot roll back; the server does when it notices.
        protected override bool IsRollbackFailureHarmless(Exception exception) => exception is NpgsqlException or InvalidOperationException;

        private NpgsqlCommand Command(string sql, (string Name, object? Value)[] parameters)
        {
            var command = new NpgsqlCommand(sql, _connection, (NpgsqlTransaction?)Transaction);
            foreach (var (name, value) in parameters)
                command.Parameters.Add(new NpgsqlParameter(name.TrimStart('@'), value ?? DBNull.Value));
            return command;
        }

        public override int Execute(string sql, params (string Name, object? Value)[] parameters)
        {
            using var command = Command(sql, parameters);
            return command.ExecuteNonQuery();
        }

        public override object? Scalar(string sql, params (string Name, object? Value)[] parameters)
        {
            using var command = Command(sql, parameters);
            var value = command.ExecuteScalar();
            return value is DBNull ? null : value;
        }

        public override List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
        {
            using var command = Command(sql, parameters);
            using var reader = command.ExecuteReader();
            var result = new List<T>();
            while (reader.Read()) result.Add(map(reader));
            return result;
        }

        public override bool CanCopy => true;

        public override void Copy(string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
        {
            using var importer = _connection.BeginBinaryImport($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)");
            foreach (var row in rows)
            {
                importer.StartRow();
                foreach (var value in row)
                {
                    switch (value)
                    {
                        case null: importer.WriteNull(); break;
                        case string text: importer.Write(text, NpgsqlTypes.NpgsqlDbType.Text); break;
                        case int number: importer.Write(number, NpgsqlTypes.NpgsqlDbType.Integer); break;
                        case long number: importer.Write(number, NpgsqlTypes.NpgsqlDbType.Bigint); break;
                        case bool flag: importer.Write(flag, NpgsqlTypes.NpgsqlDbType.Boolean); break;
                        case byte[] bytes: importer.Write(bytes, NpgsqlTypes.NpgsqlDbType.Bytea); break;
                        default: throw new ArgumentException($"COPY into {table} got a {value.GetType().Name}, which it does not write.", nameof(rows));
                    }
                }
            }
            importer.Complete();
        }

        public override bool IsUniqueViolation(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

        protected override void LockForMigration()
        {
            Execute("SELECT pg_advisory_xact_lock(@k)", ("@k", MigrationLock));
            // The dialect's case-insensitive collation (SQLite's NOCASE): ICU's level-2 strength ignores case, not accents.
            Execute("CREATE COLLATION IF NOT EXISTS psc_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
        }

        public override void Dispose() => _connection.Dispose();
    }
}
