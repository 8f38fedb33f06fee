using System;

namespace PSCertConnector.Core.Connectors.DigiCert
{
    /// <summary>DigiCert's spellings of the RFC 5280 reasons: snake_case for DigiCert ONE, camelCase for CertCentral.</summary>
    public static class DigiCertReasons
    {
        public static string SnakeCase(RevocationReason reason) => reason switch
        {
            RevocationReason.KeyCompromise => "key_compromise",
            RevocationReason.CACompromise => "ca_compromise",
            RevocationReason.AffiliationChanged => "affiliation_changed",
            RevocationReason.Superseded => "superseded",
            RevocationReason.CessationOfOperation => "cessation_of_operation",
            RevocationReason.CertificateHold => "certificate_hold",
            RevocationReason.RemoveFromCrl => "remove_from_crl",
            RevocationReason.PrivilegeWithdrawn => "privilege_withdrawn",
            RevocationReason.AACompromise => "aa_compromise",
            _ => "unspecified",
        };

        /// <summary>Reads either spelling (key_compromise, keyCompromise, KeyCompromise); null when unknown.</summary>
        public static RevocationReason? Parse(string? text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            var compact = text!.Replace("_", "").Replace("-", "");
            foreach (RevocationReason reason in Enum.GetValues(typeof(RevocationReason)))
                if (string.Equals(reason.ToString(), compact, StringComparison.OrdinalIgnoreCase)) return reason;
            return null;
        }
    }
}
