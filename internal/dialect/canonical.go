package dialect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
)

// CanonicalJSON returns the canonical form of a JSON body the KYC Sharing
// and card-binding dialects sign: keys sorted at every
// level, null and empty values ("", [], {}) dropped — after their own
// cleaning, so an object left empty is dropped too — written with no
// insignificant whitespace and non-ASCII characters as UTF-8, numbers as they
// were sent. An empty body is the empty string. Nesting is limited to 32 levels.
func CanonicalJSON(body []byte) (string, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return "", nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	if dec.More() {
		return "", errors.New("more than one JSON value")
	}
	v, keep := clean(v, 0)
	if !keep {
		return "", nil
	}
	var b bytes.Buffer
	if err := write(&b, v, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

const maxDepth = 32

func clean(v any, depth int) (any, bool) {
	switch t := v.(type) {
	case nil:
		return nil, false
	case string:
		return t, t != ""
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			if c, ok := clean(x, depth+1); ok {
				out[k] = c
			}
		}
		return out, len(out) > 0
	case []any:
		out := make([]any, 0, len(t))
		for _, x := range t {
			if c, ok := clean(x, depth+1); ok {
				out = append(out, c)
			}
		}
		return out, len(out) > 0
	}
	return v, true
}

func write(b *bytes.Buffer, v any, depth int) error {
	if depth > maxDepth {
		return errors.New("nested too deeply")
	}
	switch t := v.(type) {
	case string:
		writeString(b, t)
	case json.Number:
		b.WriteString(t.String())
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := write(b, t[k], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := write(b, x, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

// writeString escapes as Python's json.dumps(ensure_ascii=False): quote,
// backslash and control characters; everything else as UTF-8.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else if r == utf8.RuneError {
				b.WriteString(`\ufffd`)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// CanonicalFields is the canonical body of a multipart call: the non-file
// fields as a JSON object of strings (empty ones dropped).
func CanonicalFields(fields map[string]string) string {
	m := map[string]any{}
	for k, v := range fields {
		m[k] = v
	}
	v, keep := clean(m, 0)
	if !keep {
		return ""
	}
	var b bytes.Buffer
	_ = write(&b, v, 0)
	return b.String()
}
