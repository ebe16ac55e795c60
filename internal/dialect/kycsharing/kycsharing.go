// Package kycsharing is the KYC Sharing dialect (reliance model): a partner
// that verified its user shares the data, photos and its own AML and IDV
// reports. Endpoints at the provider's paths, HMAC-SHA256 signatures over the
// canonical body, the {success, error, msg, code, model, traceId} envelope,
// and signed callbacks. It is an adapter only. See README.md.
package kycsharing

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/verification"
)

// Surface is the surface name of this dialect.
const Surface = kyc.SurfaceKYCSharing

// Level is the built-in level its verifications use.
const Level = "reliance"

// Merchants is what the dialect needs of the merchant service.
type Merchants interface {
	DialectSecret(ctx context.Context, dialect kyc.Surface, appID string) (kyc.Merchant, string, error)
	DialectSecrets(ctx context.Context, dialect kyc.Surface, appID string) (kyc.Merchant, []string, error)
	dialect.Settings
	DialectCredentials(ctx context.Context, merchantID string, dialect kyc.Surface) (appID, secret string, err error)
}

// Core is what the dialect needs of the verification service.
type Core interface {
	Create(ctx context.Context, p kyc.Principal, surface kyc.Surface, in verification.CreateInput) (kyc.Verification, error)
	Submit(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
	ByReference(ctx context.Context, p kyc.Principal, surface kyc.Surface, reference string) (kyc.Verification, error)
	ByID(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
}

// Config configures the dialect.
type Config struct {
	Merchants    Merchants
	Core         Core
	Applicants   dialect.Applicants
	AllowPrivate bool // callback URLs on private addresses (development)
	Now          func() time.Time
	ValidateURL  func(ctx context.Context, raw string, allowPrivate bool) (string, error)
}

// Dialect serves the KYC Sharing API.
type Dialect struct {
	merchants Merchants
	core      Core
	cfg       Config
}

// New returns the dialect.
func New(cfg Config) *Dialect {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Dialect{merchants: cfg.Merchants, core: cfg.Core, cfg: cfg}
}

// Paths of the dialect.
const (
	PathInformation = "/open/api/kyc/share/information"
	PathFileUpload  = "/open/api/kyc/share/fileUpload"
	PathSubmit      = "/open/api/kyc/share/submit"
	PathQuery       = "/open/api/kyc/share/query"
)

// Routes lists the dialect's routes.
func (d *Dialect) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathInformation, d.information)
	mux.HandleFunc("POST "+PathFileUpload, d.fileUpload)
	mux.HandleFunc("GET "+PathFileUpload, d.fileUpload) // one copy of the provider's docs says GET
	mux.HandleFunc("POST "+PathSubmit, d.submit)
	mux.HandleFunc("POST "+PathQuery, d.query)
}

// Window is how far a request timestamp may be from the server's clock.
const Window = 5 * time.Minute

// MaxFile is the largest accepted file.
const MaxFile = 5 << 20

const maxJSON = 64 << 10

func header(r *http.Request, name, alias string) string {
	if v := r.Header.Get(name); v != "" {
		return v
	}
	return r.Header.Get(alias)
}

// authenticate checks appId, timestamp and sign over the canonical body.
func (d *Dialect) authenticate(ctx context.Context, r *http.Request, canonicalBody string) (kyc.Principal, error) {
	c, err := d.caller(ctx, r)
	if err != nil {
		return kyc.Principal{}, err
	}
	return c.verify(r, canonicalBody)
}

// caller is what a request's headers say, checked before its body is read:
// a known appId, a timestamp within the window, a sign to verify.
type caller struct {
	m             kyc.Merchant
	secrets       []string
	appID, ts, sg string
}

func (d *Dialect) caller(ctx context.Context, r *http.Request) (caller, error) {
	appID := r.Header.Get("appId")
	if appID == "" {
		return caller{}, fail(CodeAuth, "appId: header is required")
	}
	m, secrets, err := d.merchants.DialectSecrets(ctx, Surface, appID)
	if err != nil {
		return caller{}, err
	}
	ts := header(r, "timestamp", "ach-access-timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(ts) != 13 {
		return caller{}, fail(CodeTimestamp, "timestamp: must be 13-digit milliseconds")
	}
	if diff := d.cfg.Now().Sub(time.UnixMilli(ms)); diff > Window || diff < -Window {
		return caller{}, fail(CodeTimestamp, "timestamp: outside the allowed window of 5 minutes")
	}
	sign := header(r, "sign", "ach-access-sign")
	if sign == "" {
		return caller{}, fail(CodeSign, "sign: header is required")
	}
	return caller{m: m, secrets: secrets, appID: appID, ts: ts, sg: sign}, nil
}

// verify checks the sign over the request and its canonical body. During a
// rotation's overlap the previous secret is accepted too.
func (c caller) verify(r *http.Request, canonicalBody string) (kyc.Principal, error) {
	for _, secret := range c.secrets {
		if ValidSign(secret, c.ts, r.Method, r.URL.RequestURI(), canonicalBody, c.sg) {
			return kyc.Principal{MerchantID: c.m.ID, Actor: "kycsharing:" + c.appID}, nil
		}
	}
	return kyc.Principal{}, fail(CodeSign, "sign: does not match the request and the secret")
}

// readJSON reads the body, authenticates it and decodes it strictly into v.
func (d *Dialect) readJSON(r *http.Request, v any) (kyc.Principal, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxJSON+1))
	if err != nil || len(b) > maxJSON {
		return kyc.Principal{}, fail(CodeParam, "body: unreadable or larger than 64 KiB")
	}
	canon, err := Canonical(b)
	if err != nil {
		return kyc.Principal{}, fail(CodeParam, "body: must be a JSON object")
	}
	p, err := d.authenticate(r.Context(), r, canon)
	if err != nil {
		return p, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return p, fail(CodeParam, "body: "+jsonProblem(err))
	}
	return p, nil
}

func jsonProblem(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return ute.Field + ": wrong type, must be " + kyc.JSONKind(ute.Type.String())
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return strings.Trim(f, `"`) + ": unknown field"
	}
	return "malformed JSON"
}

// Address and person of the information call.
type Address struct {
	Country string `json:"country"`
	State   string `json:"state"`
	City    string `json:"city"`
	Address string `json:"address"`
	ZipCode string `json:"zipCode"`
	SSN     string `json:"ssn"`
}

// IndividualInfo is the person.
type IndividualInfo struct {
	FirstName  string          `json:"firstName"`
	LastName   string          `json:"lastName"`
	DOB        string          `json:"dob"`
	Country    string          `json:"country"`
	Gender     json.RawMessage `json:"gender"`
	IDDocType  json.RawMessage `json:"idDocType"`
	Number     string          `json:"number"`
	ValidUntil string          `json:"validUntil"`
	IPAddress  string          `json:"ipAddress"`
	Address    *Address        `json:"address"`
	Extra      json.RawMessage `json:"extra"`
	Tags       json.RawMessage `json:"tags"`
}

// Information is the body of the information call.
type Information struct {
	RequestNo      string          `json:"requestNo"`
	Email          string          `json:"email"`
	KYCPlatform    string          `json:"kycPlatform"`
	HolderType     json.RawMessage `json:"holderType"`
	CallbackURL    string          `json:"callbackUrl"`
	IndividualInfo *IndividualInfo `json:"individualInfo"`
}

func enumInt(raw json.RawMessage, field string, allowed ...int) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || !slices.Contains(allowed, n) {
		return fail(CodeParam, field+": must be one of "+intsToString(allowed))
	}
	return nil
}

func intsToString(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// input validates the information call and maps it onto the core.
func (d *Dialect) input(ctx context.Context, in Information) (applicant.Input, string, error) {
	if in.RequestNo == "" || len(in.RequestNo) > 64 {
		return applicant.Input{}, "", fail(CodeParam, "requestNo: is required, at most 64 characters")
	}
	if in.Email == "" {
		return applicant.Input{}, "", fail(CodeParam, "email: is required")
	}
	for _, id := range []struct{ field, v string }{{"requestNo", in.RequestNo}, {"email", in.Email}} {
		if err := kyc.CheckIdentifier(id.field, id.v); err != nil {
			return applicant.Input{}, "", err
		}
	}
	if err := enumInt(in.HolderType, "holderType", 1); err != nil {
		return applicant.Input{}, "", err
	}
	info := in.IndividualInfo
	if info == nil {
		return applicant.Input{}, "", fail(CodeParam, "individualInfo: is required")
	}
	if err := enumInt(info.Gender, "individualInfo.gender", 1, 2); err != nil {
		return applicant.Input{}, "", err
	}
	if err := enumInt(info.IDDocType, "individualInfo.idDocType", 1, 2, 3, 4); err != nil {
		return applicant.Input{}, "", err
	}
	for _, f := range []struct{ name, v string }{{"firstName", info.FirstName}, {"lastName", info.LastName}, {"dob", info.DOB}, {"country", info.Country}} {
		if f.v == "" {
			return applicant.Input{}, "", fail(CodeParam, "individualInfo."+f.name+": is required")
		}
	}
	if len(info.Country) != 3 {
		return applicant.Input{}, "", fail(CodeParam, "individualInfo.country: must be an ISO 3166-1 alpha-3 code")
	}
	pii := kyc.PII{FirstName: info.FirstName, LastName: info.LastName, DateOfBirth: info.DOB, Nationality: info.Country,
		Email: in.Email, DocumentNumber: info.Number}
	if info.ValidUntil != "" && info.ValidUntil != "2099-01-01" { // 2099-01-01 means no expiry
		pii.DocumentExpiry = info.ValidUntil
	}
	if a := info.Address; a != nil {
		if strings.EqualFold(a.Country, "USA") && a.SSN == "" {
			return applicant.Input{}, "", fail(CodeParam, "individualInfo.address.ssn: is required when the country is USA")
		}
		pii.Address = &kyc.Address{Line1: a.Address, City: a.City, State: a.State, PostalCode: a.ZipCode, Country: a.Country}
	}
	callback := in.CallbackURL
	if callback != "" && d.cfg.ValidateURL != nil {
		var err error
		if callback, err = d.cfg.ValidateURL(ctx, callback, d.cfg.AllowPrivate); err != nil {
			return applicant.Input{}, "", fail(CodeParam, "callbackUrl: "+err.Error())
		}
	}
	return applicant.Input{ExternalUserID: strings.ToLower(strings.TrimSpace(in.Email)), PII: pii}, callback, nil
}

func (d *Dialect) information(w http.ResponseWriter, r *http.Request) {
	var in Information
	p, err := d.readJSON(r, &in)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	ctx := r.Context()
	ai, callback, err := d.input(ctx, in)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	if v, err := d.core.ByReference(ctx, p, Surface, in.RequestNo); err == nil {
		// A repeated call with identical content is idempotent.
		a, err := d.cfg.Applicants.Get(ctx, p, v.ApplicantID)
		if err != nil {
			d.writeErr(w, r, err)
			return
		}
		if d.cfg.Applicants.Matches(a, ai) && v.CallbackURL == callback {
			d.ok(w, r, model(v))
			return
		}
		d.writeErr(w, r, fail(CodeDuplicate, "requestNo: already used with other content"))
		return
	} else if !kyc.IsNotFound(err) {
		d.writeErr(w, r, err)
		return
	}
	a, err := d.cfg.Applicants.Find(ctx, p, Surface, ai.ExternalUserID)
	switch {
	case kyc.IsNotFound(err):
		a, _, err = d.cfg.Applicants.Create(ctx, p, Surface, ai)
	case err == nil:
		a, err = d.cfg.Applicants.Update(ctx, p, a.ID, patchOf(ai.PII)) // the latest shared data wins
	}
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	v, err := d.core.Create(ctx, p, Surface, verification.CreateInput{ApplicantID: a.ID, Reference: in.RequestNo, Level: Level, CallbackURL: callback})
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	d.ok(w, r, model(v))
}

func patchOf(p kyc.PII) applicant.Patch {
	s := func(v string) *string { return &v }
	return applicant.Patch{FirstName: s(p.FirstName), LastName: s(p.LastName), Nationality: s(p.Nationality), Email: s(p.Email),
		DocumentNumber: s(p.DocumentNumber), DateOfBirth: s(p.DateOfBirth), DocumentExpiry: s(p.DocumentExpiry), Address: p.Address}
}

// fileTypes maps upload types to document kinds.
var fileTypes = map[string]kyc.DocumentKind{"idFront": kyc.DocIDFront, "idBack": kyc.DocIDBack, "face": kyc.DocSelfie,
	"amlReport": kyc.DocAMLReport, "idvReport": kyc.DocIDVReport}

// fileUpload takes the parts requestNo, type and file in any order. The
// signature covers the text parts, so a file that comes before them is set
// aside (dialect.Spool: an encrypted temporary file) until they are read
// and the signature holds; a file after them streams straight into the
// document intake.
func (d *Dialect) fileUpload(w http.ResponseWriter, r *http.Request) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		d.writeErr(w, r, fail(CodeParam, "Content-Type: must be multipart/form-data"))
		return
	}
	// Who calls is known before the body is read: nothing is spooled for
	// an unknown appId or a stale timestamp.
	ctx := r.Context()
	c, err := d.caller(ctx, r)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	mr := multipart.NewReader(bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, MaxFile+maxJSON), 64<<10), params["boundary"])
	fields := map[string]string{}
	var file io.Reader // the file part, streaming, or its spool
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			d.writeErr(w, r, fail(CodeParam, "body: malformed multipart form or larger than 5 MB"))
			return
		}
		if part.FormName() == "file" {
			if file != nil {
				d.writeErr(w, r, fail(CodeParam, "file: send one file per request; this one has more"))
				return
			}
			if _, ok := fields["requestNo"]; ok {
				if _, ok := fields["type"]; ok {
					file = httpmw.LastPart(mr, part) // nothing may follow it
					break
				}
			}
			sp, err := d.spool(part)
			if err != nil {
				d.writeErr(w, r, err)
				return
			}
			defer sp.Close()
			if file, err = sp.Open(); err != nil {
				d.writeErr(w, r, err)
				return
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, 257))
		if err != nil || len(b) > 256 {
			d.writeErr(w, r, fail(CodeParam, part.FormName()+": longer than 256 bytes"))
			return
		}
		fields[part.FormName()] = string(b)
	}
	p, err := c.verify(r, FormCanonical(fields))
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	for k := range fields {
		if k != "requestNo" && k != "type" {
			d.writeErr(w, r, fail(CodeParam, k+": unknown field"))
			return
		}
	}
	if fields["requestNo"] == "" {
		d.writeErr(w, r, fail(CodeParam, "requestNo: is required"))
		return
	}
	if err := kyc.CheckIdentifier("requestNo", fields["requestNo"]); err != nil {
		d.writeErr(w, r, err)
		return
	}
	kind, ok := fileTypes[fields["type"]]
	if !ok {
		d.writeErr(w, r, fail(CodeParam, "type: must be one of idFront, idBack, face, amlReport, idvReport"))
		return
	}
	if file == nil {
		d.writeErr(w, r, fail(CodeParam, "file: is required"))
		return
	}
	v, err := d.core.ByReference(ctx, p, Surface, fields["requestNo"])
	if kyc.IsNotFound(err) {
		d.writeErr(w, r, fail(CodeNotFound, "requestNo: unknown; call information first"))
		return
	}
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	if v.State != kyc.StateCreated {
		d.writeErr(w, r, fail(CodeState, "requestNo: already submitted"))
		return
	}
	// Photos are JPEG or PNG and reports PDF, by content; the core checks the rest.
	br := bufio.NewReader(io.LimitReader(file, MaxFile+1))
	head, _ := br.Peek(8)
	isJPEG, isPNG := bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}), bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n"))
	if !kind.IsReport() && !isJPEG && !isPNG {
		d.writeErr(w, r, fail(CodeParam, "file: "+fields["type"]+" must be a JPEG or PNG photo"))
		return
	}
	counted := &countingReader{r: br}
	if _, err := d.cfg.Applicants.UploadDocument(ctx, p, v.ApplicantID, kind, counted); err != nil {
		if counted.n > MaxFile {
			d.writeErr(w, r, fail(CodeParam, "file: larger than 5 MB"))
			return
		}
		var fe *kyc.FieldError
		if errors.As(err, &fe) {
			d.writeErr(w, r, fail(CodeParam, "file: "+fe.Msg))
			return
		}
		d.writeErr(w, r, err)
		return
	}
	d.ok(w, r, map[string]string{"requestNo": v.Reference, "type": fields["type"]})
}

// spool sets a file part aside until the fields it precedes are read; a
// part over the size limit is refused at once.
func (d *Dialect) spool(part io.Reader) (*dialect.Spool, error) {
	sp, err := dialect.NewSpool("openkyc-kycsharing-*")
	if err != nil {
		return nil, err
	}
	dst := &writeErr{w: sp}
	n, err := io.Copy(dst, io.LimitReader(part, MaxFile+1))
	switch {
	case dst.err != nil: // the disk, not the client
		sp.Close()
		return nil, fmt.Errorf("kyc sharing spool: %w", dst.err)
	case err != nil:
		sp.Close()
		return nil, fail(CodeParam, "body: malformed multipart form or larger than 5 MB")
	case n > MaxFile:
		sp.Close()
		return nil, fail(CodeParam, "file: larger than 5 MB")
	}
	return sp, nil
}

// writeErr remembers a write error, to tell it from a read error.
type writeErr struct {
	w   io.Writer
	err error
}

func (e *writeErr) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > MaxFile {
		return n, errors.New("file larger than 5 MB")
	}
	return n, err
}

// required are the upload types that must be present before submitting.
var required = []string{"idFront", "face", "amlReport", "idvReport"}

func (d *Dialect) submit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		RequestNo string `json:"requestNo"`
	}
	p, err := d.readJSON(r, &in)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	if err := kyc.CheckIdentifier("requestNo", in.RequestNo); err != nil {
		d.writeErr(w, r, err)
		return
	}
	ctx := r.Context()
	v, err := d.core.ByReference(ctx, p, Surface, in.RequestNo)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	docs, err := d.cfg.Applicants.Documents(ctx, p, v.ApplicantID)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	have := map[kyc.DocumentKind]bool{}
	for _, doc := range docs {
		have[doc.Kind] = true
	}
	var missing []string
	for _, t := range required {
		if !have[fileTypes[t]] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		d.writeErr(w, r, fail(CodeParam, "file: missing "+strings.Join(missing, ", ")))
		return
	}
	if v.State != kyc.StateCreated {
		d.writeErr(w, r, fail(CodeState, "requestNo: already submitted"))
		return
	}
	if v, err = d.core.Submit(ctx, p, v.ID); err != nil {
		d.writeErr(w, r, err)
		return
	}
	d.ok(w, r, model(v))
}

func (d *Dialect) query(w http.ResponseWriter, r *http.Request) {
	var in struct {
		RequestNo string `json:"requestNo"`
	}
	p, err := d.readJSON(r, &in)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	if in.RequestNo == "" {
		d.writeErr(w, r, fail(CodeParam, "requestNo: is required"))
		return
	}
	if err := kyc.CheckIdentifier("requestNo", in.RequestNo); err != nil {
		d.writeErr(w, r, err)
		return
	}
	v, err := d.core.ByReference(r.Context(), p, Surface, in.RequestNo)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	d.ok(w, r, model(v))
}

// Model is the answer about one request.
type Model struct {
	RequestNo  string `json:"requestNo"`
	KYCStatus  string `json:"kycStatus"`
	Reason     string `json:"reason,omitempty"`
	UpdateTime int64  `json:"updateTime"`
}

func model(v kyc.Verification) Model {
	st, reason := Status(v)
	return Model{RequestNo: v.Reference, KYCStatus: st, Reason: reason, UpdateTime: v.UpdatedAt.UnixMilli()}
}
