using System;
using System.Data.Common;
using System.Globalization;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>Column readers that work alike on every engine's reader (PostgreSQL's integers are typed; SQLite's are not).</summary>
    public static class SqlReaderExtensions
    {
        public static string? StringOrNull(this DbDataReader reader, string column)
        {
            int i = reader.GetOrdinal(column);
            return reader.IsDBNull(i) ? null : reader.GetString(i);
        }

        public static string Text(this DbDataReader reader, string column) => reader.GetString(reader.GetOrdinal(column));

        public static byte[]? BytesOrNull(this DbDataReader reader, string column)
        {
            int i = reader.GetOrdinal(column);
            return reader.IsDBNull(i) ? null : (byte[])reader.GetValue(i);
        }

        public static long Long(this DbDataReader reader, string column) => Convert.ToInt64(reader.GetValue(reader.GetOrdinal(column)), CultureInfo.InvariantCulture);

        public static int Int(this DbDataReader reader, string column) => Convert.ToInt32(reader.GetValue(reader.GetOrdinal(column)), CultureInfo.InvariantCulture);

        public static long? LongOrNull(this DbDataReader reader, string column)
        {
            int i = reader.GetOrdinal(column);
            return reader.IsDBNull(i) ? null : Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
        }

        public static DateTimeOffset Time(this DbDataReader reader, string column) => SqlDatabase.ParseTime(reader.Text(column));

        public static DateTimeOffset? TimeOrNull(this DbDataReader reader, string column)
        {
            var text = reader.StringOrNull(column);
            return text == null ? null : SqlDatabase.ParseTime(text);
        }
    }
}
