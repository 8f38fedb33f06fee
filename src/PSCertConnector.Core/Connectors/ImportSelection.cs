using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Connectors
{
    /// <summary>
    /// Which of a CA's certificates an import takes into the inventory: by template (name or OID), status, issue date,
    /// subject or SAN pattern, and requester (where the CA reports one). Empty fields select everything. It decides only
    /// what is added: a certificate already in the inventory keeps getting its revocation from the CA even when it no
    /// longer matches. A connector keeps its selection in settings; an import may override any field once.
    /// </summary>
    public sealed record ImportSelection
    {
        public const string TemplatesSetting = "importTemplates";
        public const string StatusSetting = "importStatus";
        public const string IssuedAfterSetting = "importIssuedAfter";
        public const string SubjectSetting = "importSubject";
        public const string SanSetting = "importSan";
        public const string RequesterSetting = "importRequester";

        /// <summary>The settings every connector type accepts for its import, with their help lines.</summary>
        public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [TemplatesSetting] = "import only certificates of these templates (names or OIDs, comma-separated)",
            [StatusSetting] = "import only certificates in these states: issued, revoked, expired (comma-separated)",
            [IssuedAfterSetting] = "import only certificates issued on or after this date (yyyy-MM-dd)",
            [SubjectSetting] = "import only certificates whose subject or common name matches one of these wildcards (separated by ';', as subjects hold commas)",
            [SanSetting] = "import only certificates with a SAN value matching one of these wildcards (comma-separated, e.g. *.contoso.com)",
            [RequesterSetting] = "import only certificates requested by these accounts (wildcards, comma-separated; AD CS DCOM reports the requester)",
        };

        public IReadOnlyList<string> Templates { get; init; } = Array.Empty<string>();
        public IReadOnlyList<ImportStatus> Statuses { get; init; } = Array.Empty<ImportStatus>();
        public DateTimeOffset? IssuedAfter { get; init; }
        public IReadOnlyList<string> Subjects { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> Sans { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> Requesters { get; init; } = Array.Empty<string>();

        public static readonly ImportSelection All = new ImportSelection();

        public bool IsEmpty => Templates.Count == 0 && Statuses.Count == 0 && IssuedAfter == null && Subjects.Count == 0 && Sans.Count == 0 && Requesters.Count == 0;

        public static bool IsSelectionSetting(string key) => Settings.ContainsKey(key);

        /// <summary>The connector's selection from its settings; a value that cannot be read is refused, naming the setting.</summary>
        public static ImportSelection FromSettings(IReadOnlyDictionary<string, string> settings)
        {
            string? Value(string key) => ConnectorSettings.Value(settings, key);
            return new ImportSelection
            {
                Templates = List(Value(TemplatesSetting), ','),
                Statuses = List(Value(StatusSetting), ',').Select(s => ParseStatus(s, StatusSetting)).Distinct().ToList(),
                IssuedAfter = Value(IssuedAfterSetting) is { } date ? ParseDate(date, IssuedAfterSetting) : null,
                Subjects = List(Value(SubjectSetting), ';'),
                Sans = List(Value(SanSetting), ','),
                Requesters = List(Value(RequesterSetting), ','),
            };
        }

        /// <summary>This selection with the fields <paramref name="once"/> gives replacing its own, for one import.</summary>
        public ImportSelection OverriddenBy(ImportSelection? once) => once == null ? this : new ImportSelection
        {
            Templates = once.Templates.Count > 0 ? once.Templates : Templates,
            Statuses = once.Statuses.Count > 0 ? once.Statuses : Statuses,
            IssuedAfter = once.IssuedAfter ?? IssuedAfter,
            Subjects = once.Subjects.Count > 0 ? once.Subjects : Subjects,
            Sans = once.Sans.Count > 0 ? once.Sans : Sans,
            Requesters = once.Requesters.Count > 0 ? once.Requesters : Requesters,
        };

        /// <summary>One line for the connector's display and the import's messages.</summary>
        public string Describe()
        {
            if (IsEmpty) return "everything";
            var parts = new List<string>();
            if (Templates.Count > 0) parts.Add("template " + string.Join(", ", Templates));
            if (Statuses.Count > 0) parts.Add("status " + string.Join(", ", Statuses.Select(s => s.ToString().ToLowerInvariant())));
            if (IssuedAfter is { } after) parts.Add("issued on or after " + after.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            if (Subjects.Count > 0) parts.Add("subject " + string.Join("; ", Subjects));
            if (Sans.Count > 0) parts.Add("SAN " + string.Join(", ", Sans));
            if (Requesters.Count > 0) parts.Add("requester " + string.Join(", ", Requesters));
            return string.Join("; ", parts);
        }

        /// <summary>The test one import applies to each certificate, with the patterns compiled once.</summary>
        /// <param name="templateOids">Names and OIDs of the connector's templates, each giving the other, so that either selects a template.</param>
        public Func<IssuedCertificate, CertificateDetails, bool> Matcher(DateTimeOffset now, IReadOnlyDictionary<string, string> templateOids)
        {
            IReadOnlyList<Regex> Compile(IReadOnlyList<string> patterns) => patterns.Select(Wildcard.ToRegex).ToList();
            var subjects = Compile(Subjects);
            var sans = Compile(Sans);
            var requesters = Compile(Requesters);
            return (item, details) =>
            {
                if (Templates.Count > 0)
                {
                    var names = new[] { item.Template, details.Template }.Where(t => t != null).Select(t => t!).ToList();
                    foreach (var name in names.ToList())
                        if (templateOids.TryGetValue(name, out var other)) names.Add(other);
                    if (!Templates.Any(t => names.Contains(t, StringComparer.OrdinalIgnoreCase))) return false;
                }
                if (Statuses.Count > 0)
                {
                    var status = item.RevokedAt != null ? ImportStatus.Revoked : details.NotAfter < now ? ImportStatus.Expired : ImportStatus.Issued;
                    if (!Statuses.Contains(status)) return false;
                }
                if (IssuedAfter is { } after && details.NotBefore < after) return false;
                if (subjects.Count > 0 && !subjects.Any(p => p.IsMatch(details.Subject) || (details.CommonName != null && p.IsMatch(details.CommonName)))) return false;
                if (sans.Count > 0 && !details.SubjectAlternativeNames.Any(san => sans.Any(p => p.IsMatch(san.Value)))) return false;
                if (requesters.Count > 0 && (item.Requester == null || !requesters.Any(p => p.IsMatch(item.Requester)))) return false;
                return true;
            };
        }

        public static ImportStatus ParseStatus(string value, string what) =>
            Enum.TryParse<ImportStatus>(value.Trim(), ignoreCase: true, out var status) && Enum.IsDefined(typeof(ImportStatus), status) && !int.TryParse(value, out _) ? status
            : throw new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"The {what} '{DisplayText.Escape(value)}' is not a status: expected issued, revoked or expired.") { Target = what };

        public static DateTimeOffset ParseDate(string value, string what) =>
            DateTimeOffset.TryParseExact(value.Trim(), new[] { "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ssZ" }, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date) ? date
            : throw new PscException("InvalidSetting", FailureCategory.InvalidArgument, $"The {what} '{DisplayText.Escape(value)}' is not a date: expected yyyy-MM-dd (e.g. 2026-01-31).") { Target = what };

        private static IReadOnlyList<string> List(string? value, char separator) => ConnectorSettings.List(value, separator);
    }
}
