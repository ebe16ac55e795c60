package httpmw

import (
	"errors"
	"io"
	"mime/multipart"

	"github.com/openkyc/openkyc/internal/kyc"
)

// LastPart reads part, the file of a multipart upload that takes one file,
// and at its end makes sure that no other part follows: a second file would
// otherwise be ignored without a word. Another part is an error in place of
// io.EOF, so a reader streaming the file into storage stops before it
// commits: a *kyc.FieldError on field "file" with rule "multiple" (another
// part of the same name) or "order" (any other part).
func LastPart(mr *multipart.Reader, part *multipart.Part) io.Reader {
	return &lastPart{mr: mr, part: part}
}

type lastPart struct {
	mr   *multipart.Reader
	part *multipart.Part
	err  error
}

func (l *lastPart) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.part.Read(p)
	if !errors.Is(err, io.EOF) {
		return n, err
	}
	l.err = io.EOF
	next, nerr := l.mr.NextPart()
	switch {
	case errors.Is(nerr, io.EOF):
	case nerr != nil:
		l.err = nerr
	case next.FormName() == l.part.FormName():
		l.err = kyc.Invalid("file", "multiple", "send one file per request; this one has more")
	default:
		l.err = kyc.Invalid("file", "order", "must be the last part of the form")
	}
	return n, l.err
}
