using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Core;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// The names PowerShell users see for our objects (Get-Member, format views), instead of Core's namespaces. The
    /// object stays what it is: the name goes first in PSTypeNames, so -is tests and property binding are unchanged.
    /// </summary>
    internal static class OutputTypeNames
    {
        private static readonly Dictionary<Type, string> Names = new Dictionary<Type, string>
        {
            [typeof(ConnectorDefinition)] = "PSCertConnector.Connector",
            [typeof(TemplateRecord)] = "PSCertConnector.Template",
            [typeof(EnrollmentServiceRecord)] = "PSCertConnector.EnrollmentService",
            [typeof(AdEnrollmentService)] = "PSCertConnector.DirectoryEnrollmentService",
            [typeof(CaTemplate)] = "PSCertConnector.DirectoryTemplate",
            [typeof(CertificateRequestResult)] = "PSCertConnector.CertificateRequest",
            [typeof(OrderRecord)] = "PSCertConnector.Order",
            [typeof(CertificateRecord)] = "PSCertConnector.Certificate",
            [typeof(ImportRunRecord)] = "PSCertConnector.ImportRun",
            [typeof(ImportPreview)] = "PSCertConnector.ImportPreview",
            [typeof(ConnectorTestReport)] = "PSCertConnector.ConnectorTest",
            [typeof(ExportedFile)] = "PSCertConnector.ExportedFile",
            [typeof(PfxIssuance)] = "PSCertConnector.PfxIssuance",
            [typeof(PfxReencryption)] = "PSCertConnector.PfxReencryption",
            [typeof(RevocationRequest)] = "PSCertConnector.RevocationRequest",
            [typeof(StoreStatus)] = "PSCertConnector.Store",
            [typeof(RenewalResult)] = "PSCertConnector.Renewal",
            [typeof(MaintenanceReport)] = "PSCertConnector.MaintenanceReport",
            [typeof(Core.Events.CaEvent)] = "PSCertConnector.Event",
            [typeof(Core.Notifications.NotificationRule)] = "PSCertConnector.NotificationRule",
            [typeof(Core.Configuration.ConfigurationChange)] = "PSCertConnector.ConfigurationChange",
        };

        /// <summary>Every output type and its name (the format file's views select on these).</summary>
        public static IReadOnlyDictionary<Type, string> All => Names;

        public static object Wrap(object item)
        {
            if (item is PSObject || !Names.TryGetValue(item.GetType(), out var name)) return item;
            var wrapped = new PSObject(item);
            wrapped.TypeNames.Insert(0, name);
            return wrapped;
        }
    }
}
