using System;
using System.Collections.Generic;
using System.Data.Common;
using System.IO;
using Microsoft.Data.Sqlite;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// One open SQLite file with versioned migrations, applied on open. The inventory's default engine and each
    /// embedded CA's own database.
    /// </summary>
    internal sealed class SqliteDatabase : SqlDatabase
    {
        private readonly SqliteConnection _connection;
        // Commands are kept per SQL text so each statement is prepared once per connection, not once per row.
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        private SqliteDatabase(string path, SqliteConnection connection)
        {
            Path = path;
            _connection = connection;
        }

        public string Path { get; }
        public override string Engine => "SQLite";
        public override string Location => Path;
        public override SqlDialect Dialect => SqlDialect.Sqlite;

        /// <param name="what">How the file is named in errors ("inventory database").</param>
        /// <param name="migrations">Schema steps; step i brings the schema to version i + 1.</param>
        public static SqliteDatabase Open(string path, string what, IReadOnlyList<string> migrations)
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            try
            {
                OwnerOnly.CreateFolder(folder);
                OwnerOnly.CreateFile(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new PscException("HomeUnusable", FailureCategory.WriteError, $"The folder '{folder}' for the {what} cannot be created: {ex.Message}", ex);
            }
            return OpenAt(path, what, migrations);
        }

        /// <summary>An empty database with the schema that lives only in memory: what reading a home that does not exist yet sees.</summary>
        public static SqliteDatabase OpenInMemory(string what, IReadOnlyList<string> migrations) => OpenAt(":memory:", what, migrations);

        /// <summary>The text backwards, a surrogate pair kept as one character (as PostgreSQL's reverse does).</summary>
        internal static string ReverseByCodePoint(string text)
        {
            var result = new char[text.Length];
            int end = text.Length;
            for (int i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    result[end - 2] = text[i];
                    result[end - 1] = text[i + 1];
                    end -= 2;
                    i++;
                }
                else result[--end] = text[i];
            }
            return new string(result);
        }

        private static SqliteDatabase OpenAt(string path, string what, IReadOnlyList<string> migrations)
        {
            var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 };
            var connection = new SqliteConnection(builder.ToString());
            var db = new SqliteDatabase(path, connection);
            try
            {
                connection.Open();
                // PostgreSQL has reverse(); the inventory's name lookups use it on both engines.
                connection.CreateFunction("reverse", (string? text) => text == null ? null : ReverseByCodePoint(text), isDeterministic: true);
                db.Execute("PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;");
                // 64 MiB of page cache (default 2 MiB): an import of a large CA inserts into several indexes in random key order.
                db.Execute("PRAGMA cache_size = -65536;");
                db.Execute("PRAGMA journal_mode = WAL;");
                db.Migrate(migrations, what);
                return db;
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is not (26 or 11))
            {
                db.Dispose();
                throw new PscException("StoreUnusable", FailureCategory.WriteError,
                    $"The {what} '{path}' cannot be opened: {ex.Message.TrimEnd('.')} (SQLite error {ex.SqliteErrorCode}). Check that the folder is writable and no other program holds it locked.", ex)
                { Target = path };
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 26 or 11)
            {
                db.Dispose();
                throw new PscException("StoreCorrupt", FailureCategory.InvalidData,
                    $"The {what} '{path}' is not a readable SQLite database ({ex.Message.TrimEnd('.')}). Move it aside and restore it from backup; nothing was changed.", ex)
                { Target = path };
            }
            catch
            {
                db.Dispose();
                throw;
            }
        }

        public override bool WritersTakeTurns => true;

        protected override DbTransaction BeginTransaction() => _connection.BeginTransaction();

        private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = _connection.CreateCommand();
                command.CommandText = sql;
                _commands[sql] = command;
            }
            command.Transaction = (SqliteTransaction?)Transaction;
            // Same SQL, same parameter names in the same order: reuse the parameter objects, set new values.
            bool reuse = command.Parameters.Count == parameters.Length;
            for (int i = 0; reuse && i < parameters.Length; i++)
                reuse = command.Parameters[i].ParameterName == parameters[i].Name;
            if (reuse)
            {
                for (int i = 0; i < parameters.Length; i++) command.Parameters[i].Value = parameters[i].Value ?? DBNull.Value;
                return command;
            }
            command.Parameters.Clear();
            foreach (var (name, value) in parameters)
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            return command;
        }

        public override int Execute(string sql, params (string Name, object? Value)[] parameters) =>
            Command(sql, parameters).ExecuteNonQuery();

        public override object? Scalar(string sql, params (string Name, object? Value)[] parameters)
        {
            var value = Command(sql, parameters).ExecuteScalar();
            return value is DBNull ? null : value;
        }

        public override List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
        {
            using var reader = Command(sql, parameters).ExecuteReader();
            var result = new List<T>();
            while (reader.Read()) result.Add(map(reader));
            return result;
        }

        public override bool IsUniqueViolation(Exception exception) =>
            exception is SqliteException { SqliteErrorCode: 19 } sqlite && sqlite.Message.IndexOf("UNIQUE", StringComparison.OrdinalIgnoreCase) >= 0;

        public override void Dispose()
        {
            foreach (var command in _commands.Values) command.Dispose();
            _commands.Clear();
            _connection.Dispose();
        }
    }
}
