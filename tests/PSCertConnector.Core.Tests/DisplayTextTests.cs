using System.Diagnostics;
using FluentAssertions;
using PSCertConnector.Core;
using Xunit;

namespace PSCertConnector.Core.Tests
{
    public sealed class DisplayTextTests
    {
        [Theory]
        [InlineData("evil\u001b[2Jx", "evil\\x1B[2Jx")]
        [InlineData("a\u0000b\u007fc\u009bd", "a\\x00b\\x7Fc\\x9Bd")]
        [InlineData("line\r\nbreak\ttab", "line\\x0D\\x0Abreak\\x09tab")]
        [InlineData("\u202Egnp.exe", "\\u202Egnp.exe")]
        [InlineData("plain Müller 日本", "plain Müller 日本")]
        public void Control_characters_become_visible_escapes(string text, string shown) =>
            DisplayText.Escape(text).Should().Be(shown);

        [Fact]
        public void Kept_characters_stay_as_they_are() =>
            DisplayText.Escape("a\nb\u001bc", keep: "\n").Should().Be("a\nb\\x1Bc");

        [Fact]
        public void A_column_is_cut_with_an_ellipsis_and_never_inside_an_escape_or_a_pair()
        {
            DisplayText.Escape("abcdefghij", 10).Should().Be("abcdefghij");
            DisplayText.Escape("abcdefghijk", 10).Should().Be("abcdefghi…");
            // "abcdefg" + "\x1B" would end at 11: the escape goes whole or not at all.
            DisplayText.Escape("abcdefg\u001bzz", 10).Should().Be("abcdefg…");
            DisplayText.Escape("abcdefgh\U0001F600zz", 10).Should().Be("abcdefgh…");
            DisplayText.Escape("abcdefg\U0001F600zz", 10).Should().Be("abcdefg\U0001F600…");
        }

        [Fact]
        public void A_one_mebibyte_value_is_cut_without_reading_all_of_it()
        {
            var huge = new string('\u001b', 1024 * 1024);
            var watch = Stopwatch.StartNew();
            string shown = "";
            for (int i = 0; i < 1000; i++) shown = DisplayText.Escape(huge, 48);
            watch.Stop();
            shown.Should().Be(string.Concat(Enumerable.Repeat("\\x1B", 11)) + "…");
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "a cut reads only as far as the width");
        }

        [Fact]
        public void Error_text_never_carries_a_raw_control_character_and_stays_short()
        {
            var ex = new PscException("InvalidInf", FailureCategory.InvalidData, "The certreq INF is not valid at Subject: '\u001b[31m" + new string('x', 100_000) + "'.");
            ex.Message.Should().StartWith("The certreq INF is not valid at Subject: '\\x1B[31mxxx");
            ex.Message.Length.Should().BeLessOrEqualTo(PscException.MaxMessageLength);
            ex.Message.Should().EndWith("…");
        }
    }
}
