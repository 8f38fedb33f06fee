using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSCertConnector.Core.ActiveDirectory;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Commands
{
    /// <summary>
    /// The names PowerShell users see for our objects (Get-Member, format views), instead of Core's namespaces. The
    /// object stays what it is: the name goes first in PSTypeNames, so -is tests and property binding are unchanged.
    /// </summary>
    internal static class OutputTypeNames
    {
        public const string Connector = "PSCertConnector.Connector";
        public const string Template = "PSCertConnector.Template";
        public const string EnrollmentService = "PSCertConnector.EnrollmentService";
        public const string DirectoryEnrollmentService = "PSCertConnector.DirectoryEnrollmentService";
        public const string DirectoryTemplate = "PSCertConnector.DirectoryTemplate";
        public const string CertificateRequest = "PSCertConnector.CertificateRequest";
        public const string Order = "PSCertConnector.Order";
        public const string Certificate = "PSCertConnector.Certificate";
        public const string ImportRun = "PSCertConnector.ImportRun";
        public const string ConnectorTest = "PSCertConnector.ConnectorTest";
        public const string ExportedFile = "PSCertConnector.ExportedFile";

        private static readonly Dictionary<Type, string> Names = new Dictionary<Type, string>
        {
            [typeof(ConnectorDefinition)] = Connector,
            [typeof(TemplateRecord)] = Template,
            [typeof(EnrollmentServiceRecord)] = EnrollmentService,
            [typeof(AdEnrollmentService)] = DirectoryEnrollmentService,
            [typeof(CaTemplate)] = DirectoryTemplate,
            [typeof(CertificateRequestResult)] = CertificateRequest,
            [typeof(OrderRecord)] = Order,
            [typeof(CertificateRecord)] = Certificate,
            [typeof(ImportRunRecord)] = ImportRun,
            [typeof(ConnectorTestReport)] = ConnectorTest,
            [typeof(ExportedFile)] = ExportedFile,
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
