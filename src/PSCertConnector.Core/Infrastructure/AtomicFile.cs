using System;
using System.IO;

namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>Writes a whole file or nothing: a reader never sees half of it, and a crash leaves the old file in place.</summary>
    public static class AtomicFile
    {
        /// <param name="ownerOnly">Restrict the file to its owner before any byte is written (it holds a private key).</param>
        public static void Write(string path, byte[] content, bool ownerOnly = false)
        {
            var temp = path + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            try
            {
                using (File.Create(temp)) { }
                if (ownerOnly) OwnerOnly.RestrictFile(temp);
                File.WriteAllBytes(temp, content);
                if (File.Exists(path)) File.Delete(path);
                File.Move(temp, path);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }
}
