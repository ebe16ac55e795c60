package kyc

import (
	"fmt"
	"strings"
	"unicode"
)

// HiddenRune reports whether r is a Unicode control (Cc) or format (Cf)
// character: C0 and C1 controls, the bidirectional controls (U+200E,
// U+200F, U+202A–U+202E, U+2066–U+2069), zero-width characters, U+FEFF and
// the like. Such characters are invisible or reorder what is around them,
// so text holding them can read as something else (`…\u202egpj.exe` shows
// as `…exe.jpg`).
func HiddenRune(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }

// CheckIdentifier refuses an identifier (an external user id, a reference,
// an e-mail address used as a key, an order number) that holds a control or
// format character. The rule is the same on every surface; the error is a
// *FieldError with rule "control_characters" naming field, and its message
// gives the code point found but never the value.
func CheckIdentifier(field, s string) error {
	i := strings.IndexFunc(s, HiddenRune)
	if i < 0 {
		return nil
	}
	r := []rune(s[i:])[0]
	return Invalid(field, "control_characters", "must not contain Unicode control or format characters (found %s)", CodePoint(r))
}

// CodePoint writes r as U+XXXX.
func CodePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }

// ShowHidden returns s with every control and format character replaced by
// a visible [U+XXXX] marker, so that stored text displays as what it is.
// Tabs and line breaks are kept.
func ShowHidden(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return HiddenRune(r) && r != '\n' && r != '\t' }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if HiddenRune(r) && r != '\n' && r != '\t' {
			b.WriteString("[" + CodePoint(r) + "]")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// JSONKind names, for messages, the JSON type that a Go type (as written by
// reflect.Type.String, e.g. in json.UnmarshalTypeError) is decoded from:
// "a string", "an integer", "a number", "a boolean", "an array" or "an
// object". Wire messages use it so that they never name Go types.
func JSONKind(goType string) string {
	t := strings.TrimLeft(goType, "*")
	switch {
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasPrefix(t, "float") || t == "json.Number":
		return "a number"
	case strings.HasPrefix(t, "[]") || strings.HasPrefix(t, "["):
		return "an array"
	}
	return "an object"
}
