
namespace PSCertConnector.Core
{
    public static class CommandSinkExtensions
    {
        public static void WriteError(this ICommandSink sink, PscException ex, object? target = null) =>
            sink.WriteError(PscError.From(ex, target));
    }
}
