/// Text from outside (an account name, a remote's reason) made safe to print on a terminal.
public enum PrintableText {
    /// The text with line breaks and tabs folded to spaces and every other control
    /// character (escape sequences and bidi overrides included) replaced, so outside text
    /// cannot drive the terminal that shows a message.
    public static func of(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let isBidiOverride = (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
            if scalar == "\n" || scalar == "\t" || scalar == "\r" {
                result.append(" ")
            } else if scalar.properties.generalCategory == .control || isBidiOverride {
                result.append("\u{FFFD}")
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }
}
