using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>
    /// One open database of the store's engines (SQLite in a file of the home, or a shared PostgreSQL), with
    /// versioned migrations. Parameters are named @name in the SQL; every multi-row change runs inside
    /// <see cref="InTransaction{T}"/>.
    /// </summary>
    public abstract class SqlDatabase : IDisposable
    {
        /// <summary>"SQLite" or "PostgreSQL".</summary>
        public abstract string Engine { get; }

        /// <summary>Where the data lives, safe to show: a file path, or host, port and database (never a password).</summary>
        public abstract string Location { get; }

        public abstract SqlDialect Dialect { get; }

        /// <summary>The transaction in progress, which every command joins; null outside <see cref="InTransaction{T}"/>.</summary>
        protected DbTransaction? Transaction { get; private set; }

        /// <summary>Starts a transaction on the engine's connection.</summary>
        protected abstract DbTransaction BeginTransaction();

        /// <summary>True when a failed rollback can be ignored because the server rolls back on its own (a broken connection).</summary>
        protected virtual bool IsRollbackFailureHarmless(Exception exception) => false;

        /// <summary>Runs the work in one transaction: all of it is stored, or none of it. Nested calls join the outer one.</summary>
        public T InTransaction<T>(Func<T> work)
        {
            if (Transaction != null) return work();
            var transaction = BeginTransaction();
            Transaction = transaction;
            try
            {
                var result = work();
                transaction.Commit();
                return result;
            }
            catch
            {
                try { transaction.Rollback(); }
                catch (Exception rollbackFailure) when (IsRollbackFailureHarmless(rollbackFailure)) { }
                throw;
            }
            finally
            {
                transaction.Dispose();
                Transaction = null;
            }
        }

        public abstract int Execute(string sql, params (string Name, object? Value)[] parameters);

        public abstract object? Scalar(string sql, params (string Name, object? Value)[] parameters);

        public abstract List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters);

        /// <summary>True when one writer at a time holds the whole database (SQLite), so ids a transaction assigns follow the highest stored one.</summary>
        public virtual bool WritersTakeTurns => false;

        /// <summary>True when the engine loads rows with <see cref="Copy"/> (PostgreSQL's binary COPY); SQLite's prepared inserts need none.</summary>
        public virtual bool CanCopy => false;

        /// <summary>Loads rows into a table in one stream (values: string, int, long, bool, byte[] or null, in the order of the columns).</summary>
        public virtual void Copy(string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows) =>
            throw new NotSupportedException($"The {Engine} engine has no bulk copy.");

        /// <summary>True when the exception says a row would have broken a unique constraint.</summary>
        public abstract bool IsUniqueViolation(Exception exception);

        /// <summary>Keeps other hosts from migrating at the same time, for the rest of the current transaction.</summary>
        protected virtual void LockForMigration() { }

        public abstract void Dispose();

        /// <summary>The schema version the database is at (0 when it holds none of our tables).</summary>
        public int SchemaVersion()
        {
            Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            return Convert.ToInt32(Scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version") ?? 0, CultureInfo.InvariantCulture);
        }

        /// <summary>Brings the schema to the latest version, one transaction per step; returns the steps applied.</summary>
        /// <param name="migrations">Schema steps in the dialect's tokens; step i brings the schema to version i + 1.</param>
        public int Migrate(IReadOnlyList<string> migrations, string what)
        {
            int applied = 0;
            for (int version = CheckVersion(migrations, what); version < migrations.Count; version++)
            {
                var step = version;
                bool ran = InTransaction(() =>
                {
                    LockForMigration();
                    // Another host may have applied this step while we waited for the lock.
                    if (Convert.ToInt32(Scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version") ?? 0, CultureInfo.InvariantCulture) > step) return false;
                    Execute(Dialect.Translate(migrations[step]));
                    Execute("INSERT INTO schema_version (version) VALUES (@v)", ("@v", step + 1));
                    return true;
                });
                if (ran) applied++;
            }
            return applied;
        }

        /// <summary>The current version, after checking this program understands it.</summary>
        public int CheckVersion(IReadOnlyList<string> migrations, string what)
        {
            int current = SchemaVersion();
            if (current > migrations.Count)
                throw new PscException("StoreTooNew", FailureCategory.InvalidData,
                    $"The {what} at {Location} has schema version {current}, newer than this version of PSCertConnector understands ({migrations.Count}). Update PSCertConnector on this host.")
                { Target = Location };
            return current;
        }

        // Timestamps are stored as fixed-width UTC text so that SQL comparisons order them correctly on every engine.
        public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        public static string? Time(DateTimeOffset? value) => value.HasValue ? Time(value.Value) : null;

        public static DateTimeOffset ParseTime(string text) =>
            DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
