using System;
using Microsoft.Data.Sqlite;

namespace PSCertConnector.Core.Infrastructure
{
    internal static class SqliteReaderExtensions
    {
        public static string? StringOrNull(this SqliteDataReader reader, string column)
        {
            int i = reader.GetOrdinal(column);
            return reader.IsDBNull(i) ? null : reader.GetString(i);
        }

        public static byte[]? BytesOrNull(this SqliteDataReader reader, string column)
        {
            int i = reader.GetOrdinal(column);
            return reader.IsDBNull(i) ? null : (byte[])reader.GetValue(i);
        }

        public static long? LongOrNull(this SqliteDataReader reader, string column)
        {
            int i = reader.GetOrdinal(column);
            return reader.IsDBNull(i) ? null : reader.GetInt64(i);
        }

        public static DateTimeOffset? TimeOrNull(this SqliteDataReader reader, string column)
        {
            var text = reader.StringOrNull(column);
            return text == null ? null : SqliteDatabase.ParseTime(text);
        }
    }
}
