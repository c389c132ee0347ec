package export

import (
	"strings"
	"unicode/utf8"
)

// yamlString writes s as a double-quoted YAML scalar. Double quotes are the one YAML style
// that can hold any text: colons, leading dashes, '#', quotes and every Unicode character,
// with escapes for what is not printable or would break the line.
func yamlString(s string) string {
	var sb strings.Builder
	sb.Grow(len(s) + 2)
	sb.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			sb.WriteString(`\uFFFD`)
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff:
			// C0 and C1 controls, the Unicode line and paragraph separators and the byte
			// order mark are not printable in YAML.
			sb.WriteString(`\u`)
			sb.WriteString(strings.ToUpper(hex2(byte(r >> 8))))
			sb.WriteString(strings.ToUpper(hex2(byte(r))))
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// yamlList writes a block sequence of quoted strings under key, or "key: []" when empty.
func yamlList(sb *strings.Builder, key string, items []string) {
	sb.WriteString(key)
	if len(items) == 0 {
		sb.WriteString(": []\n")
		return
	}
	sb.WriteString(":\n")
	for _, it := range items {
		sb.WriteString("  - ")
		sb.WriteString(yamlString(it))
		sb.WriteByte('\n')
	}
}
