using FluentAssertions;
using PSCertConnector.Fuzz;
using Xunit;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// Replays tests/fuzz's seed corpus and every input that ever crashed a parser (tests/fuzz/regressions) through
    /// the fuzz targets themselves: each must be accepted or refused with a PscException, within the fuzzer's hang bound.
    /// </summary>
    public sealed class FuzzRegressionTests
    {
        private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(5);
        private static string FuzzFolder => Path.Combine(AppContext.BaseDirectory, "fuzz");

        public static IEnumerable<object[]> Inputs() =>
            new[] { "corpus", "regressions" }
                .Select(kind => Path.Combine(FuzzFolder, kind))
                .Where(Directory.Exists)
                .SelectMany(folder => Directory.EnumerateDirectories(folder)
                    .SelectMany(targetFolder => Directory.EnumerateFiles(targetFolder, "*", SearchOption.AllDirectories)
                        .Select(file => Path.GetRelativePath(FuzzFolder, file))))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(relative => new object[] { relative.Replace('\\', '/') });

        [Theory]
        [MemberData(nameof(Inputs))]
        public async Task Input_is_read_or_refused_with_a_PscException(string input)
        {
            // corpus/<target>/<file> or regressions/<target>/<file>
            var target = input.Split('/')[1];
            var bytes = File.ReadAllBytes(Path.Combine(FuzzFolder, input));
            Exception? escaped = null;
            var run = Task.Run(() =>
            {
                try { FuzzTargets.Run(target, bytes); }
                catch (Exception ex) { escaped = ex; }
            });
            (await Task.WhenAny(run, Task.Delay(HangLimit)) == run).Should().BeTrue($"{input} must be read within {HangLimit.TotalSeconds} s");
            escaped.Should().BeNull($"{input} may only be refused with a PscException, but {escaped?.GetType().Name} escaped: {escaped}");
        }

        [Fact]
        public void Every_target_has_seeds_and_every_input_folder_names_a_target()
        {
            foreach (var target in FuzzTargets.All.Keys)
                Directory.EnumerateFiles(Path.Combine(FuzzFolder, "corpus", target)).Should().NotBeEmpty($"target {target} needs seed inputs");
            foreach (var folder in new[] { "corpus", "regressions" }.SelectMany(k => Directory.EnumerateDirectories(Path.Combine(FuzzFolder, k))))
                FuzzTargets.All.Keys.Should().Contain(Path.GetFileName(folder), $"{folder} is replayed through the target of its name");
        }

        [Fact]
        public void A_target_lets_exceptions_other_than_PscException_escape()
        {
            // The replay above proves something only if a target does not swallow every exception: an unknown
            // target is an ArgumentException from the harness itself, which must come through as one.
            FluentActions.Invoking(() => FuzzTargets.Run("no-such-target", Array.Empty<byte>())).Should().Throw<ArgumentException>();
            FuzzTargets.Resolve("pkcs12").Should().Be("pkcs7");
        }
    }
}
