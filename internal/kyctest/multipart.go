package kyctest

import (
	"bytes"
	"mime/multipart"
	"slices"
)

// UploadForm is a multipart form of the text fields (sorted by name), then
// one part named file; it returns the body and its Content-Type.
func UploadForm(fields map[string]string, file []byte) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		_ = w.WriteField(k, fields[k])
	}
	fw, _ := w.CreateFormFile("file", "photo.png")
	_, _ = fw.Write(file)
	_ = w.Close()
	return &b, w.FormDataContentType()
}
