using System.Collections.Generic;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkcs;

namespace PSCertConnector.Core.Pkix
{
    /// <summary>
    /// What a certificate request may ask for, in one place: used when we build a request, when the embedded CA (and so
    /// the Lab) decides one, and by every face through them. The subject's attributes keep to RFC 5280's upper bounds,
    /// a name has at most 32 attributes and a request at most 100 subject alternative names, DNS names keep to RFC 1035's
    /// lengths, and no value holds a control character (they are how names are spoofed on screens and how attribute
    /// lists are broken). A violation names the field and the limit, never the value itself.
    /// </summary>
    public static class RequestPolicy
    {
        public const string ErrorId = "RequestPolicyViolation";
        public const int MaxSubjectAttributes = 32;
        public const int MaxSubjectAlternativeNames = 100;
        public const int MaxDnsName = 253;
        public const int MaxDnsLabel = 63;
        /// <summary>Attributes RFC 5280 gives no bound (given name, pseudonym, ...) and other SAN forms.</summary>
        public const int MaxOtherValue = 255;
        public const int MaxUri = 2048;
        public const int MaxRequestAttributes = 64;

        // RFC 5280 Appendix A.1 (ub-common-name, ub-locality-name, ...); DC is one DNS label.
        private static readonly Dictionary<DerObjectIdentifier, int> UpperBounds = new()
        {
            [X509Name.CN] = 64,
            [X509Name.O] = 64,
            [X509Name.OU] = 64,
            [X509Name.T] = 64,
            [X509Name.SerialNumber] = 64,
            [X509Name.L] = 128,
            [X509Name.ST] = 128,
            [X509Name.C] = 2,
            [X509Name.EmailAddress] = 255,
            [X509Name.DC] = MaxDnsLabel,
            [X509Name.Pseudonym] = 128,
        };

        /// <summary>Throws RequestPolicyViolation for the first thing the request may not ask for.</summary>
        public static void Enforce(X509Name subject, IReadOnlyList<SubjectAlternativeName> names, IReadOnlyDictionary<string, string>? attributes = null)
        {
            var violation = Violation(subject, names, attributes);
            if (violation != null)
                throw new PscException(ErrorId, FailureCategory.InvalidArgument, violation.Value.Message) { Target = violation.Value.Field };
        }

        /// <summary>The enrollment attributes a submit sends (AD CS reads them as "name:value" lines): bounded, no control characters.</summary>
        public static void EnforceAttributes(IReadOnlyDictionary<string, string> attributes)
        {
            var violation = AttributesViolation(attributes);
            if (violation != null)
                throw new PscException(ErrorId, FailureCategory.InvalidArgument, violation) { Target = "RequestAttributes" };
        }

        /// <summary>What the CA's policy says of a parsed request: null when it may be issued.</summary>
        public static string? Violation(CsrInfo request, IReadOnlyDictionary<string, string>? attributes = null)
        {
            var subject = new Pkcs10CertificationRequest(request.Der).GetCertificationRequestInfo().Subject;
            return Violation(subject, request.SubjectAlternativeNames, attributes)?.Message;
        }

        private static (string Field, string Message)? Violation(X509Name subject, IReadOnlyList<SubjectAlternativeName> names, IReadOnlyDictionary<string, string>? attributes)
        {
            var oids = subject.GetOidList();
            var values = subject.GetValueList();
            if (oids.Count > MaxSubjectAttributes)
                return ("Subject", $"The Subject has {oids.Count} attributes; at most {MaxSubjectAttributes} are allowed.");
            for (int i = 0; i < oids.Count; i++)
            {
                var label = X509Name.DefaultSymbols.TryGetValue(oids[i], out var symbol) ? symbol : oids[i].Id;
                var value = values[i] ?? "";
                int bound = UpperBounds.TryGetValue(oids[i], out var b) ? b : MaxOtherValue;
                var problem = ValueProblem(value, bound, $"The Subject's {label}");
                if (problem != null) return ("Subject", problem + (UpperBounds.ContainsKey(oids[i]) && value.Length > bound ? " (RFC 5280's upper bound)." : "."));
            }

            if (names.Count > MaxSubjectAlternativeNames)
                return ("SubjectAlternativeName", $"The request has {names.Count} subject alternative names; at most {MaxSubjectAlternativeNames} are allowed.");
            for (int i = 0; i < names.Count; i++)
            {
                var name = names[i];
                var what = $"Subject alternative name {i + 1} ({SubjectAlternativeName.TypeText(name.Type)})";
                var problem = name.Type switch
                {
                    SanType.Dns => DnsProblem(name.Value, what),
                    SanType.Uri => ValueProblem(name.Value, MaxUri, what),
                    SanType.OtherName => ValueProblem(name.Value, 2 * 1024, what),
                    _ => ValueProblem(name.Value, MaxOtherValue, what),
                };
                if (problem != null) return ("SubjectAlternativeName", problem + ".");
            }

            if (attributes != null && AttributesViolation(attributes) is { } attributeProblem) return ("RequestAttributes", attributeProblem);
            return null;
        }

        private static string? AttributesViolation(IReadOnlyDictionary<string, string> attributes)
        {
            if (attributes.Count > MaxRequestAttributes)
                return $"The request has {attributes.Count} attributes; at most {MaxRequestAttributes} are allowed.";
            foreach (var pair in attributes)
            {
                var problem = ValueProblem(pair.Key, MaxOtherValue, "A request attribute's name")
                    ?? ValueProblem(pair.Value, 4 * 1024, $"The request attribute {DisplayText.Escape(pair.Key, 64)}");
                if (problem != null) return problem + ".";
            }
            return null;
        }

        private static string? ValueProblem(string value, int bound, string what)
        {
            if (value.Length > bound) return $"{what} is {value.Length} characters long; at most {bound} are allowed";
            int at = DisplayText.IndexOfControl(value);
            return at >= 0 ? $"{what} contains the control character {DisplayText.CodePoint(value[at])} at position {at + 1}; names and values may not hold control characters" : null;
        }

        private static string? DnsProblem(string value, string what)
        {
            var problem = ValueProblem(value, MaxDnsName, what);
            if (problem != null) return problem;
            var labels = value.TrimEnd('.').Split('.');
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i].Length == 0) return $"{what} has an empty label (two dots in a row, or a leading dot)";
                if (labels[i].Length > MaxDnsLabel) return $"{what} has a label of {labels[i].Length} characters; at most {MaxDnsLabel} are allowed (RFC 1035)";
            }
            return null;
        }
    }
}
