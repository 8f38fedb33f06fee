using System.IO;

namespace PSCertConnector.Core.Operations
{
    /// <summary>Where an operation writes a file the user named: never over an existing file unless asked, never into a folder that is not there.</summary>
    internal static class OutputFile
    {
        public static void Check(string path, bool overwrite)
        {
            if (!overwrite && File.Exists(path))
                throw new PscException("FileExists", FailureCategory.ResourceExists,
                    $"The file '{path}' exists. Choose another path, or replace it with -Force (CLI: --force).") { Target = path };
            if (Directory.Exists(path))
                throw new PscException("PathIsFolder", FailureCategory.InvalidArgument, $"'{path}' is a folder; give the path of the file to write.") { Target = path };
            // A mistyped folder is an error, not a new folder tree.
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(folder))
                throw new PscException("FolderNotFound", FailureCategory.ObjectNotFound, $"The folder '{folder}' does not exist. Create it first, or check the path.") { Target = path };
        }
    }
}
