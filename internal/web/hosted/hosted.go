package hosted

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"image"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/hostedlink"
	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/ratelimit"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Core is what the page needs of the verification service.
type Core interface {
	ByID(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
	Submit(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
}

// Documents is what the page needs of the applicant service.
type Documents interface {
	UploadPhoto(ctx context.Context, p kyc.Principal, applicantID string, kind kyc.DocumentKind, r io.Reader, look func(image.Image)) (kyc.Document, quality.Report, error)
	Documents(ctx context.Context, p kyc.Principal, applicantID string) ([]kyc.Document, error)
}

// MRZReader tells from a photo of a document whether its machine-readable
// zone can be read (mrz.Reader): "" when it can, else a problem code
// (mrz.RetakeNotFound, mrz.RetakeUnreadable). The error is set when it
// cannot tell (the reader is not installed, ctx ended, OCR failed).
type MRZReader interface {
	Retake(ctx context.Context, img image.Image) (problem string, err error)
}

// Config configures the page.
type Config struct {
	MaxUploadBytes int64              // per photo
	MaxUploads     int                // photos per link (default 60)
	Limits         *ratelimit.Limiter // per client address (nil: none)
	Now            func() time.Time
	// MRZ reads the MRZ of uploaded document sides that carry one, to ask
	// at once for a better photo when it cannot be read (nil: no MRZ
	// feedback).
	MRZ MRZReader
	// MRZTimeout bounds that reading; past it the page says nothing of the
	// MRZ (default DefaultMRZTimeout).
	MRZTimeout time.Duration
}

// DefaultMRZTimeout is the default of Config.MRZTimeout: OCR of an MRZ takes
// 0.3–1 s on one core.
const DefaultMRZTimeout = 3 * time.Second

// Handler serves /verify/.
type Handler struct {
	links *hostedlink.Service
	core  Core
	docs  Documents
	cfg   Config
	tmpl  *template.Template
	// mrzSlots caps the MRZ feedback reads run at once (one per core: the
	// OCR is single-threaded); an upload waits for a slot within MRZTimeout.
	mrzSlots chan struct{}
}

// New returns the page handler.
func New(links *hostedlink.Service, c Core, docs Documents, cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUploads <= 0 {
		cfg.MaxUploads = 60
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 10 << 20
	}
	if cfg.MRZTimeout <= 0 {
		cfg.MRZTimeout = DefaultMRZTimeout
	}
	funcs := template.FuncMap{"add": func(a, b int) int { return a + b }}
	t := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	return &Handler{links: links, core: c, docs: docs, cfg: cfg, tmpl: t, mrzSlots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// CSP is the page's Content-Security-Policy: nothing from elsewhere, no
// inline script or style, camera frames only as blobs, no framing.
const CSP = cspBase + "frame-ancestors 'none'; base-uri 'none'"

const cspBase = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; " +
	"connect-src 'self'; form-action 'self'; "

// CSPFor is the page's policy for a merchant that allows origins to embed
// it (frame-ancestors lists them; none: CSP).
func CSPFor(origins []string) string {
	if len(origins) == 0 {
		return CSP
	}
	return cspBase + "frame-ancestors " + strings.Join(origins, " ") + "; base-uri 'none'"
}

// Routes mounts the page. State-changing requests are refused when they come
// from another origin (http.CrossOriginProtection: Sec-Fetch-Site / Origin).
func (h *Handler) Routes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	csrf := http.NewCrossOriginProtection()
	mux.Handle("GET /assets/hosted/", secure(http.StripPrefix("/assets/hosted/", http.FileServerFS(static)), true))
	mux.HandleFunc("GET /sdk/v1/openkyc.js", sdk(24*time.Hour))
	mux.HandleFunc("GET /sdk/openkyc.js", sdk(5*time.Minute))
	mux.Handle("GET /verify/{token}", secure(http.HandlerFunc(h.page), false))
	mux.Handle("GET /verify/{token}/status", secure(http.HandlerFunc(h.status), false))
	mux.Handle("POST /verify/{token}/document", secure(csrf.Handler(http.HandlerFunc(h.document)), false))
	mux.Handle("POST /verify/{token}/upload", secure(csrf.Handler(http.HandlerFunc(h.upload)), false))
	mux.Handle("POST /verify/{token}/submit", secure(csrf.Handler(http.HandlerFunc(h.submit)), false))
}

// SDK is the embedding script, openkyc.js, as served at /sdk/v1/openkyc.js.
var SDK = func() []byte {
	b, err := staticFS.ReadFile("static/openkyc.js")
	if err != nil {
		panic(err)
	}
	return b
}()

// sdk serves the embedding script to any origin (a merchant's page loads
// it with Subresource Integrity, which needs CORS).
func sdk(maxAge time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Type", "text/javascript; charset=utf-8")
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
		http.ServeContent(w, r, "openkyc.js", time.Time{}, bytes.NewReader(SDK))
	}
}

// secure sets the headers of every hosted response. The token is in the
// path, so no referrer leaves the page.
func secure(next http.Handler, cacheable bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", CSP)
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
		if cacheable {
			hd.Set("Cache-Control", "public, max-age=3600")
		} else {
			hd.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// session is a resolved link with what the page shows.
type session struct {
	link   hostedlink.Link
	p      kyc.Principal
	v      kyc.Verification
	locale string
}

var errExpired = errors.New("link expired")

// resolve finds the link of the request's token.
func (h *Handler) resolve(r *http.Request) (*session, error) {
	if err := h.cfg.Limits.Address(r.Context()); err != nil {
		return nil, err
	}
	token := r.PathValue("token")
	if len(token) != 43 {
		return nil, kyc.ErrNotFound
	}
	l, err := h.links.ByToken(r.Context(), token)
	if err != nil {
		return nil, err
	}
	s := &session{link: l, p: kyc.Principal{MerchantID: l.MerchantID, Actor: "hosted:" + l.ID}, locale: locale(l.Locale, r)}
	if !h.cfg.Now().Before(l.ExpiresAt) {
		return s, errExpired
	}
	if s.v, err = h.core.ByID(r.Context(), s.p, l.VerificationID); err != nil {
		return s, err
	}
	return s, nil
}

// docTypes are the documents the user can choose, and whether they have a back.
var docTypes = []struct {
	Code string
	Back bool
}{{"passport", false}, {"id_card", true}, {"driving_license", true}, {"residence_permit", true}}

func hasBack(docType string) bool {
	for _, d := range docTypes {
		if d.Code == docType {
			return d.Back
		}
	}
	return false
}

// progress is what the user has uploaded through this link.
type progress struct {
	front, back, selfie bool
	frames, uploads     int
}

func (h *Handler) progress(ctx context.Context, s *session) (progress, error) {
	docs, err := h.docs.Documents(ctx, s.p, s.v.ApplicantID)
	if err != nil {
		return progress{}, err
	}
	var pr progress
	for _, d := range docs {
		if d.CreatedAt.Before(s.link.CreatedAt) {
			continue // from an earlier attempt
		}
		pr.uploads++
		switch d.Kind {
		case kyc.DocIDFront:
			pr.front = true
		case kyc.DocIDBack:
			pr.back = true
		case kyc.DocSelfie:
			pr.selfie = true
		case kyc.DocLivenessFrame:
			pr.frames++
		}
	}
	return pr, nil
}

// view is the data of page.html.
type view struct {
	Locale    string
	Lang      map[string]string
	Token     string
	Step      string
	StepNo    int
	Steps     int
	DocType   string
	Country   string
	DocTypes  []option
	Countries []option
	Challenge string
	HasBack   bool
	Status    string
	ReturnURL string
	Heading   string
	Body      string
	// EmbedOrigins may frame the page (space-separated): the page sends
	// its events to them only.
	EmbedOrigins string
	// Error names, for an embedding page, why the link cannot be used.
	Error string
	// Q and QA carry a locale asked for in the query (?locale=, as
	// openkyc.js passes it) from page to page: "?locale=…" and "&locale=…".
	Q, QA string
}

type option struct{ Value, Label string }

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	if v.Locale == "" {
		v.Locale = locale("", r)
	}
	v.Lang = messages[v.Locale]
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		slog.ErrorContext(r.Context(), "hosted page template failed", "request_id", httpmw.RequestID(r.Context()), "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// localeQuery keeps the locale the page was asked for in its query (when
// the link fixes none) on the next URL, after sep ("?" or "&").
func localeQuery(s *session, r *http.Request, sep string) string {
	q := r.URL.Query().Get("locale")
	if s == nil || s.link.Locale != "" || !slices.Contains(hostedlink.Locales, q) {
		return ""
	}
	return sep + "locale=" + q
}

// embedding lets the origins the link's merchant allows frame the
// response (its CSP frame-ancestors) and returns them for the page's
// events; on a failure to read them the page stays unframeable.
func (h *Handler) embedding(w http.ResponseWriter, r *http.Request, merchantID string) string {
	origins, err := h.links.EmbedOrigins(r.Context(), merchantID)
	if err != nil {
		slog.WarnContext(r.Context(), "hosted page: embedding origins unreadable; the page cannot be framed", "request_id", httpmw.RequestID(r.Context()), "error", err)
		return ""
	}
	w.Header().Set("Content-Security-Policy", CSPFor(origins))
	return strings.Join(origins, " ")
}

// fail renders the page for a link that cannot be used.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	loc := ""
	if s != nil {
		loc = s.locale
	}
	switch {
	case errors.Is(err, errExpired):
		h.render(w, r, http.StatusGone, "message.html", view{Locale: loc, Heading: "expired.heading", Body: "expired.body",
			EmbedOrigins: h.embedding(w, r, s.link.MerchantID), Error: "link_expired"})
	case kyc.IsNotFound(err):
		h.render(w, r, http.StatusNotFound, "message.html", view{Locale: loc, Heading: "notfound.heading", Body: "notfound.body"})
	case errors.Is(err, kyc.ErrRateLimited):
		httpmw.SetRetryAfter(w, err)
		h.render(w, r, http.StatusTooManyRequests, "message.html", view{Locale: locale("", r), Heading: "busy.heading", Body: "busy.body"})
	default:
		slog.ErrorContext(r.Context(), "hosted page failed", "request_id", httpmw.RequestID(r.Context()), "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// page shows the step the user is at.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	s, err := h.resolve(r)
	if err != nil {
		h.fail(w, r, s, err)
		return
	}
	if s.link.OpenedAt == nil {
		// a figure of the analytics: failing to count must not keep the user out
		if err := h.links.MarkOpened(r.Context(), s.p, s.link); err != nil {
			slog.WarnContext(r.Context(), "hosted page: first opening not counted", "request_id", httpmw.RequestID(r.Context()), "error", err)
		}
	}
	v := view{Locale: s.locale, Token: r.PathValue("token"), DocType: s.link.DocType, Country: s.link.DocCountry,
		Challenge: s.link.Challenge, HasBack: hasBack(s.link.DocType), ReturnURL: s.link.ReturnURL,
		EmbedOrigins: h.embedding(w, r, s.link.MerchantID), Q: localeQuery(s, r, "?"), QA: localeQuery(s, r, "&")}
	if s.link.SubmittedAt != nil || !hostedlink.TakesDocuments(s.v) {
		v.Step, v.Status = "status", statusKey(s.v)
		h.render(w, r, http.StatusOK, "page.html", v)
		return
	}
	pr, err := h.progress(r.Context(), s)
	if err != nil {
		h.fail(w, r, s, err)
		return
	}
	challenge := strings.Split(s.link.Challenge, ",")
	steps := []string{"document", "front"}
	if v.HasBack {
		steps = append(steps, "back")
	}
	steps = append(steps, "selfie", "review")
	redo := r.URL.Query().Get("redo")
	switch {
	case s.link.DocType == "" || redo == "document":
		v.Step = "document"
	case !pr.front || redo == "front":
		v.Step = "front"
	case v.HasBack && (!pr.back || redo == "back"):
		v.Step = "back"
	case !pr.selfie || pr.frames < len(challenge) || redo == "selfie":
		v.Step = "selfie"
	default:
		v.Step = "review"
	}
	v.StepNo, v.Steps = slices.Index(steps, v.Step)+1, len(steps)
	if v.Step == "document" {
		v.DocTypes, v.Countries = docTypeOptions(s.locale), countryOptions(s.locale)
	}
	h.render(w, r, http.StatusOK, "page.html", v)
}

func docTypeOptions(loc string) []option {
	out := make([]option, len(docTypes))
	for i, d := range docTypes {
		out[i] = option{d.Code, messages[loc]["doc."+d.Code]}
	}
	return out
}

// countryOptions lists ISO 3166-1 countries named in the locale, sorted by
// code (names sort differently per script).
func countryOptions(loc string) []option {
	namer := display.Regions(language.English)
	if loc == "zh-CN" {
		namer = display.Regions(language.SimplifiedChinese)
	}
	var out []option
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			reg, err := language.ParseRegion(code)
			if err != nil || !reg.IsCountry() || reg.String() != code {
				continue
			}
			if name := namer.Name(reg); name != "" {
				out = append(out, option{code, name})
			}
		}
	}
	return out
}

var countryCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, o := range countryOptions("en") {
		m[o.Value] = true
	}
	return m
}()

// document records the chosen document type and country.
func (h *Handler) document(w http.ResponseWriter, r *http.Request) {
	s, err := h.resolve(r)
	if err != nil {
		h.fail(w, r, s, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	docType, country := r.PostFormValue("doc_type"), strings.ToUpper(r.PostFormValue("country"))
	if !slices.ContainsFunc(docTypes, func(d struct {
		Code string
		Back bool
	}) bool {
		return d.Code == docType
	}) || !countryCodes[country] || !hostedlink.TakesDocuments(s.v) || s.link.SubmittedAt != nil {
		http.Redirect(w, r, "/verify/"+r.PathValue("token")+localeQuery(s, r, "?"), http.StatusSeeOther)
		return
	}
	if err := h.links.ChooseDocument(r.Context(), s.link.ID, docType, country); err != nil {
		h.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/verify/"+r.PathValue("token")+localeQuery(s, r, "?"), http.StatusSeeOther)
}

// uploadKinds are what the page uploads.
var uploadKinds = []kyc.DocumentKind{kyc.DocIDFront, kyc.DocIDBack, kyc.DocSelfie, kyc.DocLivenessFrame}

// UploadResult answers an upload: quality problems (too_small, blurry,
// glare, too_dark) and MRZ problems (mrz.not_found, mrz.unreadable), with
// their messages localised. They are advice: the photo is stored either way.
type UploadResult struct {
	OK       bool            `json:"ok"`
	Problems []string        `json:"problems"`
	Messages []string        `json:"messages"`
	Quality  *quality.Report `json:"quality,omitempty"`
	Error    string          `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// upload stores one photo (multipart field "file") and answers with its
// measured quality so the user can retake it at once.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	s, err := h.resolve(r)
	if err != nil {
		status := http.StatusNotFound
		if errors.Is(err, errExpired) {
			status = http.StatusGone
		} else if !kyc.IsNotFound(err) {
			status = http.StatusInternalServerError
		}
		writeJSON(w, status, UploadResult{Error: "link"})
		return
	}
	kind := kyc.DocumentKind(r.URL.Query().Get("kind"))
	if !slices.Contains(uploadKinds, kind) {
		writeJSON(w, http.StatusBadRequest, UploadResult{Error: "kind: must be id_front, id_back, selfie or liveness_frame"})
		return
	}
	if s.link.SubmittedAt != nil || !hostedlink.TakesDocuments(s.v) {
		writeJSON(w, http.StatusConflict, UploadResult{Error: "submitted"})
		return
	}
	ctx := r.Context()
	pr, err := h.progress(ctx, s)
	if err != nil {
		h.uploadErr(w, r, err)
		return
	}
	if pr.uploads >= h.cfg.MaxUploads {
		writeJSON(w, http.StatusTooManyRequests, UploadResult{Error: "limit", Messages: []string{messages[s.locale]["limit.body"]}})
		return
	}
	// The photo streams into the blob store (never whole in memory) and is
	// decoded once, within the caps and the decode budget, which also
	// measures its quality.
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxUploadBytes+64<<10)
	file, err := filePart(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, UploadResult{Error: "file: a multipart field file is required, at most " + strconv.FormatInt(h.cfg.MaxUploadBytes>>20, 10) + " MB"})
		return
	}
	var mrzProblem string
	var look func(image.Image)
	if h.cfg.MRZ != nil && carriesMRZ(s.link.DocType, s.link.DocCountry, kind) {
		look = func(img image.Image) { mrzProblem = h.mrzFeedback(ctx, img) }
	}
	_, q, err := h.docs.UploadPhoto(ctx, s.p, s.v.ApplicantID, kind, file, look)
	if err != nil {
		h.uploadErr(w, r, err)
		return
	}
	if kind == kyc.DocSelfie || kind == kyc.DocLivenessFrame {
		// Faces are photographed close up: only size and light matter here.
		q.Problems = slices.DeleteFunc(q.Problems, func(p string) bool { return p == quality.Glare || p == quality.TooSmall })
	}
	res := UploadResult{OK: q.OK() && mrzProblem == "", Problems: slices.Clone(q.Problems), Messages: []string{}, Quality: &q}
	for _, p := range q.Problems {
		res.Messages = append(res.Messages, messages[s.locale]["quality."+p])
	}
	if mrzProblem != "" {
		res.Problems = append(res.Problems, "mrz."+mrzProblem)
		res.Messages = append(res.Messages, messages[s.locale]["mrz."+mrzProblem])
	}
	writeJSON(w, http.StatusOK, res)
}

// noMRZIDCards are issuing countries whose national identity cards carry no
// MRZ (resident identity cards of CN, HK, TW, KR, SG, JP's My Number card,
// India's Aadhaar): the page does not ask their holders for one.
var noMRZIDCards = []string{"CN", "HK", "IN", "JP", "KR", "SG", "TW"}

// carriesMRZ says whether the side kind of a document of type docType
// issued by country has an MRZ: a passport's data page (the front), the
// back of an identity card or residence permit (TD1). Driving licences,
// identity card fronts, selfies and liveness frames have none.
func carriesMRZ(docType, country string, kind kyc.DocumentKind) bool {
	switch docType {
	case "passport":
		return kind == kyc.DocIDFront
	case "id_card":
		return kind == kyc.DocIDBack && !slices.Contains(noMRZIDCards, country)
	case "residence_permit":
		return kind == kyc.DocIDBack
	}
	return false
}

// mrzFeedback reads the MRZ of an uploaded photo within MRZTimeout (the
// wait for a slot included) and returns the problem the user can fix
// ("not_found", "unreadable"), or "" when it was read or when it cannot
// tell: the reader is not installed (the operator's problem), OCR failed, or
// the time ran out. Only the problem code is logged, never what was read.
func (h *Handler) mrzFeedback(ctx context.Context, img image.Image) string {
	rid := httpmw.RequestID(ctx)
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, h.cfg.MRZTimeout)
	defer cancel()
	var problem string
	var err error
	select {
	case h.mrzSlots <- struct{}{}:
		func() {
			defer func() { <-h.mrzSlots }()
			problem, err = h.cfg.MRZ.Retake(ctx, img)
		}()
	case <-ctx.Done():
		err = ctx.Err()
	}
	took := time.Since(start).Round(time.Millisecond).String()
	switch {
	case err == nil:
		slog.DebugContext(ctx, "hosted MRZ feedback", "request_id", rid, "problem", problem, "took", took)
		return problem
	case errors.Is(err, mrz.ErrUnavailable):
		slog.DebugContext(ctx, "hosted MRZ feedback off: the MRZ reader is unavailable", "request_id", rid, "reason", err.Error())
		return ""
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		slog.InfoContext(ctx, "hosted MRZ feedback timed out", "request_id", rid, "timeout", h.cfg.MRZTimeout.String(), "took", took)
		return ""
	case ctx.Err() != nil: // the client left
		return ""
	default:
		slog.WarnContext(ctx, "hosted MRZ feedback failed", "request_id", rid, "error", err)
		return ""
	}
}

// filePart returns the multipart part named file, streaming.
func filePart(r *http.Request) (io.Reader, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" {
			return httpmw.LastPart(mr, part), nil // a second file is refused, not ignored
		}
	}
}

func (h *Handler) uploadErr(w http.ResponseWriter, r *http.Request, err error) {
	var fe *kyc.FieldError
	if errors.Is(err, kyc.ErrRateLimited) {
		httpmw.SetRetryAfter(w, err)
		writeJSON(w, http.StatusTooManyRequests, UploadResult{Error: "busy", Messages: []string{messages[locale("", r)]["busy.body"]}})
		return
	}
	if errors.Is(err, kyc.ErrTooLarge) && errors.As(err, &fe) {
		writeJSON(w, http.StatusRequestEntityTooLarge, UploadResult{Error: fe.Field + ": " + fe.Msg})
		return
	}
	if errors.As(err, &fe) {
		writeJSON(w, http.StatusUnprocessableEntity, UploadResult{Error: fe.Field + ": " + fe.Msg})
		return
	}
	slog.ErrorContext(r.Context(), "hosted upload failed", "request_id", httpmw.RequestID(r.Context()), "error", err)
	writeJSON(w, http.StatusInternalServerError, UploadResult{Error: "internal error"})
}

// submit submits the verification once every photo is there.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	s, err := h.resolve(r)
	if err != nil {
		h.fail(w, r, s, err)
		return
	}
	back := "/verify/" + r.PathValue("token") + localeQuery(s, r, "?")
	if s.link.SubmittedAt != nil || !hostedlink.TakesDocuments(s.v) {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	pr, err := h.progress(r.Context(), s)
	if err != nil {
		h.fail(w, r, s, err)
		return
	}
	if s.link.DocType == "" || !pr.front || (hasBack(s.link.DocType) && !pr.back) || !pr.selfie || pr.frames < len(strings.Split(s.link.Challenge, ",")) {
		http.Redirect(w, r, back, http.StatusSeeOther) // the page shows the missing step
		return
	}
	if _, err := h.core.Submit(r.Context(), s.p, s.v.ID); err != nil && !kyc.IsConflict(err) {
		h.fail(w, r, s, err)
		return
	}
	if err := h.links.MarkSubmitted(r.Context(), s.p, s.link); err != nil {
		h.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// statusKey is the message of a verification's status.
func statusKey(v kyc.Verification) string {
	switch v.State {
	case kyc.StateReview:
		return "status.review"
	case kyc.StateCompleted:
		if v.Decision == kyc.DecisionApproved {
			return "status.approved"
		}
		return "status.rejected"
	case kyc.StateExpired, kyc.StateCancelled:
		return "status.closed"
	}
	return "status.processing"
}

// status is the fragment htmx polls; once the user can do nothing more it
// sends the browser to the return URL.
func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	s, err := h.resolve(r)
	if err != nil {
		h.fail(w, r, s, err)
		return
	}
	key := statusKey(s.v)
	if key != "status.processing" && s.link.ReturnURL != "" && r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", s.link.ReturnURL)
	}
	h.render(w, r, http.StatusOK, "status.html", view{Locale: s.locale, Token: r.PathValue("token"), Status: key, ReturnURL: s.link.ReturnURL, Q: localeQuery(s, r, "?")})
}
