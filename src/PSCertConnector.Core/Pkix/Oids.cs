using System.Text.RegularExpressions;

namespace PSCertConnector.Core.Pkix
{
    public static class Oids
    {
        public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
        public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
        public const string AnyExtendedKeyUsage = "2.5.29.37.0";
        public const string SmartcardLogon = "1.3.6.1.4.1.311.20.2.2";
        public const string PkinitClient = "1.3.6.1.5.2.3.4";
        public const string EmailProtection = "1.3.6.1.5.5.7.3.4";
        public const string EncryptingFileSystem = "1.3.6.1.4.1.311.10.3.4";
        public const string Upn = "1.3.6.1.4.1.311.20.2.3";
        public const string CertificateTemplateName = "1.3.6.1.4.1.311.20.2";
        public const string CertificateTemplateInfo = "1.3.6.1.4.1.311.21.7";
        public const string EnrollmentNameValuePair = "1.3.6.1.4.1.311.13.2.1";
        public const string EnrollmentCsp = "1.3.6.1.4.1.311.13.2.2";

        private static readonly Regex DottedOid = new Regex(@"^[0-2](\.(0|[1-9][0-9]*))+$", RegexOptions.Compiled);

        public static bool IsValid(string oid) => DottedOid.IsMatch(oid);
    }
}
