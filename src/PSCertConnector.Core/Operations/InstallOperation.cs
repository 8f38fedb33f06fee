using System;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;

namespace PSCertConnector.Core.Operations
{
    /// <summary>
    /// Pairs an issued certificate with the key kept for its request and places it in a certificate store
    /// (LocalMachine\My for an RA certificate, as the DigiCert/Intune guide does).
    /// </summary>
    public sealed class InstallOperation : OperationBase
    {
        public InstallOperation(Workspace workspace, ICommandSink sink) : base(workspace, sink) { }

        /// <param name="location">Null chooses LocalMachine when the request asked for MachineKeySet, else CurrentUser.</param>
        public InstalledCertificate? Install(CertificateSelector selector, StoreLocation? location, string storeName = "My")
        {
            InstalledCertificate? installed = null;
            ForItem(selector.ToString(), () =>
            {
                var certificate = new InventoryOperations(Workspace, Sink).Find(selector);
                var keyRecord = certificate.KeyId == null ? null : Workspace.Store.GetRequestKey(certificate.KeyId);
                if (keyRecord == null)
                    throw new PscException("PrivateKeyNotKept", FailureCategory.ObjectNotFound,
                        $"No private key is kept for '{certificate.Subject}': only certificates requested here with {UserText.Command("request new", "New-RaCertificateRequest")} can be installed with their key.")
                    { Target = certificate.SerialNumber };
                var where = location ?? (keyRecord.MachineKeySet ? StoreLocation.LocalMachine : StoreLocation.CurrentUser);
                if (where == StoreLocation.LocalMachine && !RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                    throw new PscException("MachineStoreUnavailable", FailureCategory.NotImplemented,
                        "The LocalMachine certificate store exists only on Windows; install into CurrentUser here, or export a PFX.") { Target = certificate.SerialNumber };
                if (!Sink.ShouldProcess($"certificate '{certificate.Subject}' ({certificate.Thumbprint}) with its private key", $"Install into {where}\\{storeName}")) return;

                // The store takes a certificate with its key through PKCS#12; the password only lives in memory.
                var password = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
                var pfx = WithKeptKey(keyRecord.KeyId, key => Pkcs12Writer.Write(certificate.Der, Array.Empty<byte[]>(), key, password, keyRecord.FriendlyName ?? certificate.CommonName));
                var flags = X509KeyStorageFlags.PersistKeySet
                            | (where == StoreLocation.LocalMachine ? X509KeyStorageFlags.MachineKeySet : X509KeyStorageFlags.UserKeySet)
                            | (keyRecord.Exportable ? X509KeyStorageFlags.Exportable : 0);
                X509Certificate2? withKey = null;
                try
                {
                    withKey = new X509Certificate2(pfx, password, flags);
                    if (!string.IsNullOrEmpty(keyRecord.FriendlyName) && RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                        withKey.FriendlyName = keyRecord.FriendlyName;
                    using var store = new X509Store(storeName, where);
                    store.Open(OpenFlags.ReadWrite);
                    store.Add(withKey);
                }
                catch (CryptographicException ex)
                {
                    withKey?.Dispose();
                    throw new PscException("StoreWriteFailed", FailureCategory.PermissionDenied,
                        $"The certificate could not be added to {where}\\{storeName}: {ex.Message}" +
                        (where == StoreLocation.LocalMachine ? " Run PowerShell as administrator for the machine store." : ""), ex);
                }
                Workspace.Store.RecordDeployment(new DeploymentRecord { Thumbprint = certificate.Thumbprint, Kind = DeploymentKind.Store, Target = $"{where}\\{storeName}" });
                using (withKey)
                    installed = new InstalledCertificate(Hex.NormalizeThumbprint(withKey.Thumbprint), certificate.Subject, where, storeName, withKey.HasPrivateKey);
                Sink.WriteObject(installed);
            });
            return installed;
        }
    }
}
