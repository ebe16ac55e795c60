package api

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Document is an uploaded document on the wire.
type Document struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size" doc:"bytes stored: the image without a removed trailer"`
	SHA256      string `json:"sha256" doc:"SHA-256 (hex) of the bytes stored"`
	// RemovedTrailer is present when a phone had appended data after the
	// end of a JPEG that was recognised and not stored.
	RemovedTrailer *RemovedTrailer `json:"removed_trailer,omitempty"`
}

// RemovedTrailer describes the bytes after a JPEG's end that were removed.
type RemovedTrailer struct {
	Kinds  []string `json:"kinds" nullable:"false" minItems:"1" enum:"jpeg,mp4,samsung,padding" doc:"what the bytes held, in file order: jpeg (further images: MPF secondary images, depth and gain maps), mp4 (a motion photo's video), samsung (Samsung's trailer), padding"`
	Size   int64    `json:"size" doc:"bytes removed"`
	SHA256 string   `json:"sha256" doc:"SHA-256 (hex) of the bytes removed; the bytes are not kept"`
}

func documentOut(d kyc.Document) Document {
	out := Document{ID: d.ID, Kind: string(d.Kind), ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256}
	if t := d.Trailer; t != nil {
		out.RemovedTrailer = &RemovedTrailer{Kinds: t.Kinds, Size: t.Size, SHA256: t.SHA256}
	}
	return out
}

// documentRoutes registers the upload as a plain handler, because it streams
// the multipart body straight into encrypted storage, and documents it in the
// OpenAPI description by hand.
func (s *server) documentRoutes() {
	s.api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "upload-document", Method: http.MethodPost, Path: "/v1/applicants/{id}/documents", Tags: []string{"Documents"},
		Summary: "Upload a document",
		Description: "multipart/form-data with a `kind` field followed by one `file` field, the last part (a second file is 422). JPEG, PNG and WebP images for " +
			"id_front, id_back, selfie, selfie_with_id, signature, liveness_frame and proof_of_address; PDF for aml_report, idv_report and proof_of_address. " +
			"The content type is sniffed from the bytes, never taken from the client. What a phone appends after a JPEG's end (further images, " +
			"a motion photo's video, Samsung's trailer, padding) is removed and described in removed_trailer; any other data after the end " +
			"of the image, and a trailer holding a zip archive, a PDF, HTML or a script, is 422.",
		Parameters: []*huma.Param{{Name: "id", In: "path", Required: true, Schema: &huma.Schema{Type: "string"}}},
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
			Type: "object", Required: []string{"kind", "file"},
			Properties: map[string]*huma.Schema{
				"kind": {Type: "string", Enum: []any{"id_front", "id_back", "selfie", "selfie_with_id", "signature", "proof_of_address", "aml_report", "idv_report", "liveness_frame"}},
				"file": {Type: "string", ContentEncoding: "binary"},
			},
		}}}},
		Responses: mergeResponses(map[string]*huma.Response{"201": {Description: "Created", Content: map[string]*huma.MediaType{
			"application/json": {Schema: s.api.OpenAPI().Components.Schemas.Schema(reflectType[Document](), true, "Document")},
		}}}, errorResponses(400, 401, 404, 413, 415, 422)),
	})
	s.muxHandle("POST /v1/applicants/{id}/documents", http.HandlerFunc(s.uploadDocument))
}

func (s *server) uploadDocument(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		writeAPIError(w, r, newErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the document as multipart/form-data with fields kind and file", "Content-Type", "multipart"))
		return
	}
	body := http.MaxBytesReader(w, r.Body, s.Applicants.Limits().MaxBytes+64<<10)
	// multipart reads through a 4 KiB buffer; a larger one in front turns
	// thousands of small socket reads into a few large ones.
	mr := multipart.NewReader(bufio.NewReaderSize(body, 128<<10), params["boundary"])
	var kind kyc.DocumentKind
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeError(w, r, kyc.TooLarge("file", "the request is larger than the upload limit of %d bytes", s.Applicants.Limits().MaxBytes))
				return
			}
			writeError(w, r, kyc.Invalid("body", "multipart", "the multipart body is malformed"))
			return
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 65))
			if err != nil || len(b) > 64 {
				writeError(w, r, kyc.Invalid("kind", "enum", "kind is not a document kind"))
				return
			}
			if kind, err = applicant.ParseKind("kind", string(b)); err != nil {
				writeError(w, r, err)
				return
			}
		case "file":
			if kind == "" {
				writeError(w, r, kyc.Invalid("kind", "order", "send the kind field before the file field"))
				return
			}
			// The file must be the last part: a second file is refused, not ignored.
			d, err := s.Applicants.UploadDocument(ctx, principal(ctx), r.PathValue("id"), kind, httpmw.LastPart(mr, part))
			if err != nil {
				writeError(w, r, err)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(documentOut(d))
			return
		default:
			writeError(w, r, kyc.Invalid(part.FormName(), "unknown", "unknown form field; send kind and file only"))
			return
		}
	}
	if kind == "" {
		writeError(w, r, kyc.Invalid("kind", "required", "kind is required"))
		return
	}
	writeError(w, r, kyc.Invalid("file", "required", "file is required"))
}

func mergeResponses(ms ...map[string]*huma.Response) map[string]*huma.Response {
	out := map[string]*huma.Response{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
