namespace PSCertConnector.Core.Infrastructure
{
    /// <summary>A store engine in an assembly of its own (PostgreSQL needs .NET 8; the core is netstandard2.0).</summary>
    public interface ISqlEngine
    {
        /// <param name="connectionString">As the user gave it; the password, when not in it, comes separately.</param>
        SqlDatabase Open(string connectionString, string? password);
    }
}
