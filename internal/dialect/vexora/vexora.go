// Package vexora is the Vexora KYC dialect: kycApplyFor and kycStatusQuery at
// the provider's own paths, MD5 sorted-parameter signatures with the
// merchant's app secret, and signed callbacks to callBackUrl. It is an adapter
// only: it decodes, authenticates, calls the core and encodes. See README.md.
package vexora

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/verification"
)

// Surface is the surface name of this dialect.
const Surface = kyc.SurfaceVexora

// Merchants is what the dialect needs of the merchant service.
type Merchants interface {
	DialectSecret(ctx context.Context, dialect kyc.Surface, appID string) (kyc.Merchant, string, error)
	DialectSecrets(ctx context.Context, dialect kyc.Surface, appID string) (kyc.Merchant, []string, error)
	dialect.Settings
	ByID(ctx context.Context, id string) (kyc.Merchant, error)
}

// Core is what the dialect needs of the verification service.
type Core interface {
	Create(ctx context.Context, p kyc.Principal, surface kyc.Surface, in verification.CreateInput) (kyc.Verification, error)
	Submit(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
	ByReference(ctx context.Context, p kyc.Principal, surface kyc.Surface, reference string) (kyc.Verification, error)
	Latest(ctx context.Context, p kyc.Principal, applicantID string) (kyc.Verification, error)
	LatestByExternalID(ctx context.Context, p kyc.Principal, surface kyc.Surface, externalID string) (kyc.Verification, error)
	ByID(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
}

// Config configures the dialect.
type Config struct {
	Merchants    Merchants
	Core         Core
	Applicants   dialect.Applicants
	PublicURL    string // base of authenticationUrl
	AllowPrivate bool   // callback URLs on private addresses (development)
	MaxFileBytes int64  // per file (the core's upload limit applies too)
	Now          func() time.Time
	ValidateURL  func(ctx context.Context, raw string, allowPrivate bool) (string, error)
	// Link creates a hosted-page link for a verification (authenticationUrl).
	Link func(ctx context.Context, p kyc.Principal, verificationID string) (string, error)
}

// Dialect serves the Vexora API.
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
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = 10 << 20
	}
	return &Dialect{merchants: cfg.Merchants, core: cfg.Core, cfg: cfg}
}

// Routes lists the dialect's routes.
func (d *Dialect) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/vexora/kycApplyFor", d.apply)
	mux.HandleFunc("POST /v1/vexora/kycStatusQuery", d.query)
	// "All requests are POST requests": any other method gets the envelope
	// with the parameter error, not the mux's plain-text 405.
	for _, path := range []string{"/v1/vexora/kycApplyFor", "/v1/vexora/kycStatusQuery"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", http.MethodPost)
			writeErr(w, r, d.cfg.Now(), fail(CodeParameter, "method: must be POST"))
		})
	}
}

// Window is how far a request timestamp may be from the server's clock.
const Window = 5 * time.Minute

// maxJSON bounds JSON bodies and text fields.
const maxJSON = 64 << 10

// request is a decoded, authenticated request.
type request struct {
	p      kyc.Principal
	fields map[string]string
	secret string
}

// authenticate checks merchantNo, timestamp and sign over fields.
func (d *Dialect) authenticate(ctx context.Context, r *http.Request, fields map[string]string) (request, error) {
	no := r.Header.Get("merchantNo")
	if no == "" {
		return request{}, fail(CodeMerchant, "merchantNo: header is required")
	}
	m, secrets, err := d.merchants.DialectSecrets(ctx, Surface, no)
	if err != nil {
		return request{}, err
	}
	if fields["sign"] == "" {
		return request{}, fail(CodeSignature, "sign: is required")
	}
	ts, err := strconv.ParseInt(fields["timestamp"], 10, 64)
	if err != nil {
		return request{}, fail(CodeParameter, "timestamp: must be milliseconds since 1970")
	}
	if diff := d.cfg.Now().Sub(time.UnixMilli(ts)); diff > Window || diff < -Window {
		return request{}, fail(CodeTimestamp, "timestamp: outside the allowed window of 5 minutes")
	}
	// During a rotation's overlap the previous secret is accepted too; the
	// answer is signed with the secret the request used.
	secret := ""
	for _, s := range secrets {
		if ValidSign(fields, s, fields["sign"]) {
			secret = s
			break
		}
	}
	if secret == "" {
		return request{}, fail(CodeSignature, "sign: does not match the parameters and the app secret")
	}
	return request{p: kyc.Principal{MerchantID: m.ID, Actor: "vexora:" + no}, fields: fields, secret: secret}, nil
}

// decodeJSON reads a flat JSON object into fields; nested values are refused.
func decodeJSON(body io.Reader) (map[string]string, error) {
	b, err := io.ReadAll(io.LimitReader(body, maxJSON+1))
	if err != nil {
		return nil, fail(CodeParameter, "body: could not be read")
	}
	if len(b) > maxJSON {
		return nil, fail(CodeParameter, "body: larger than 64 KiB")
	}
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, fail(CodeParameter, "body: must be a JSON object")
	}
	if dec.More() {
		return nil, fail(CodeParameter, "body: must be one JSON object")
	}
	fields := make(map[string]string, len(raw))
	for k, x := range raw {
		switch t := x.(type) {
		case nil:
		case string:
			fields[k] = t
		case json.Number:
			fields[k] = t.String()
		case bool:
			fields[k] = strconv.FormatBool(t)
		default:
			return nil, fail(CodeParameter, k+": nested values are not allowed")
		}
	}
	return fields, nil
}

func (d *Dialect) query(w http.ResponseWriter, r *http.Request) {
	now := d.cfg.Now()
	ctx := r.Context()
	fields, err := decodeJSON(r.Body)
	if err != nil {
		writeErr(w, r, now, err)
		return
	}
	req, err := d.authenticate(ctx, r, fields)
	if err != nil {
		writeErr(w, r, now, err)
		return
	}
	v, err := d.find(ctx, req)
	if err != nil {
		writeErr(w, r, now, err)
		return
	}
	status, reason := Status(v)
	data := map[string]string{"authenticationStatus": status}
	if reason != "" {
		data["failReason"] = reason
	}
	write(w, now, response{Msg: "success", Code: CodeOK, Success: true, Data: data})
}

// find resolves kycNumber, or else userId to the user's latest application.
func (d *Dialect) find(ctx context.Context, req request) (kyc.Verification, error) {
	for _, f := range []string{"kycNumber", "userId"} {
		if err := kyc.CheckIdentifier(f, req.fields[f]); err != nil {
			return kyc.Verification{}, err
		}
	}
	if n := req.fields["kycNumber"]; n != "" {
		v, err := d.core.ByReference(ctx, req.p, Surface, n)
		if kyc.IsNotFound(err) {
			return v, fail(CodeUserNotFound, "kycNumber: no application with this number")
		}
		return v, err
	}
	uid := req.fields["userId"]
	if uid == "" {
		return kyc.Verification{}, fail(CodeParameter, "userId: userId or kycNumber is required")
	}
	v, err := d.core.LatestByExternalID(ctx, req.p, Surface, uid)
	if kyc.IsNotFound(err) {
		return v, fail(CodeUserNotFound, "userId: no application for this user")
	}
	return v, err
}

// fileKinds maps multipart file parts to document kinds ([openkyc]).
var fileKinds = map[string]kyc.DocumentKind{"idFront": kyc.DocIDFront, "idBack": kyc.DocIDBack, "face": kyc.DocSelfie}

// textFields are the known text fields of kycApplyFor.
var textFields = map[string]bool{"sign": true, "timestamp": true, "userId": true, "callBackUrl": true, "usernameKanji": true,
	"usernameFurigana": true, "firstName": true, "lastName": true, "dateOfBirth": true, "nationality": true, "address": true,
	"phone": true, "email": true, "documentNumber": true}

func (d *Dialect) apply(w http.ResponseWriter, r *http.Request) {
	now := d.cfg.Now()
	ctx := r.Context()
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var (
		fields map[string]string
		mr     *multipart.Reader
		first  *multipart.Part
		err    error
	)
	if mt == "multipart/form-data" {
		mr = multipart.NewReader(http.MaxBytesReader(w, r.Body, 3*d.cfg.MaxFileBytes+maxJSON), params["boundary"])
		fields, first, err = readFormFields(mr)
	} else {
		fields, err = decodeJSON(r.Body)
	}
	if err != nil {
		writeErr(w, r, now, err)
		return
	}
	req, err := d.authenticate(ctx, r, fields)
	if err != nil {
		writeErr(w, r, now, err)
		return
	}
	for k := range fields {
		if !textFields[k] {
			writeErr(w, r, now, fail(CodeParameter, k+": unknown parameter"))
			return
		}
	}
	in, err := applicantInput(fields)
	if err != nil {
		writeErr(w, r, now, err)
		return
	}
	callback := fields["callBackUrl"]
	if callback != "" && d.cfg.ValidateURL != nil {
		if callback, err = d.cfg.ValidateURL(ctx, callback, d.cfg.AllowPrivate); err != nil {
			writeErr(w, r, now, fail(CodeParameter, "callBackUrl: "+err.Error()))
			return
		}
	}
	v, err := d.applyFor(ctx, req.p, in, callback, mr, first)
	if err != nil {
		writeErr(w, r, now, err)
		return
	}
	status, _ := Status(v)
	msg := "Application received"
	data := map[string]string{"kycNumber": v.Reference, "authenticationStatus": status, "message": msg}
	if v.State == kyc.StateCreated && d.cfg.Link != nil {
		link, err := d.cfg.Link(ctx, req.p, v.ID)
		if err != nil {
			writeErr(w, r, now, err)
			return
		}
		data["message"] = "Documents are missing: the user completes the application at authenticationUrl"
		data["authenticationUrl"] = link
	}
	write(w, now, response{Msg: "success", Code: CodeOK, Success: true, Data: data})
}

// readFormFields reads the text fields, which must precede the file parts;
// it returns the first file part, if any.
func readFormFields(mr *multipart.Reader) (map[string]string, *multipart.Part, error) {
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return fields, nil, nil
		}
		if err != nil {
			return nil, nil, fail(CodeParameter, "body: malformed multipart form")
		}
		name := part.FormName()
		if _, isFile := fileKinds[name]; isFile {
			return fields, part, nil
		}
		if part.FileName() != "" {
			return nil, nil, fail(CodeParameter, name+": unknown file; send idFront, idBack or face")
		}
		b, err := io.ReadAll(io.LimitReader(part, 4097))
		if err != nil || len(b) > 4096 {
			return nil, nil, fail(CodeParameter, name+": longer than 4096 bytes")
		}
		fields[name] = string(b)
	}
}

// applicantInput maps Vexora fields onto the core's applicant.
func applicantInput(f map[string]string) (applicant.Input, error) {
	in := applicant.Input{ExternalUserID: f["userId"]}
	if in.ExternalUserID == "" {
		return in, fail(CodeParameter, "userId: is required")
	}
	if err := kyc.CheckIdentifier("userId", in.ExternalUserID); err != nil {
		return in, err
	}
	pii := kyc.PII{FirstName: f["firstName"], LastName: f["lastName"], Nationality: f["nationality"], Phone: f["phone"],
		Email: f["email"], DocumentNumber: f["documentNumber"]}
	if k := strings.TrimSpace(f["usernameKanji"]); k != "" && pii.FirstName == "" && pii.LastName == "" {
		// [openkyc] family name first, given name after the first space.
		family, given, _ := strings.Cut(k, " ")
		pii.LastName, pii.FirstName = family, strings.TrimSpace(given)
	}
	if dob := f["dateOfBirth"]; dob != "" {
		t, err := time.Parse("20060102", dob)
		if err != nil {
			return in, fail(CodeParameter, "dateOfBirth: must be a date as yyyyMMdd")
		}
		pii.DateOfBirth = t.Format(time.DateOnly)
	}
	if a := f["address"]; a != "" {
		pii.Address = &kyc.Address{Line1: a}
	}
	in.PII = pii
	return in, nil
}

// applyFor creates or continues the user's application. A user with an
// application in progress gets it back when the request repeats the same
// data and no files, and 1006 otherwise; after an outcome, a new application
// (verification) of the same applicant starts.
func (d *Dialect) applyFor(ctx context.Context, p kyc.Principal, in applicant.Input, callback string, mr *multipart.Reader, first *multipart.Part) (kyc.Verification, error) {
	a, err := d.cfg.Applicants.Find(ctx, p, Surface, in.ExternalUserID)
	switch {
	case kyc.IsNotFound(err):
		if a, _, err = d.cfg.Applicants.Create(ctx, p, Surface, in); err != nil {
			return kyc.Verification{}, err
		}
	case err != nil:
		return kyc.Verification{}, err
	default:
		if last, err := d.core.Latest(ctx, p, a.ID); err == nil && inProgress(last) {
			if d.cfg.Applicants.Matches(a, in) && first == nil && last.CallbackURL == callback {
				return last, nil // a repeated request: idempotent
			}
			return last, fail(CodeDuplicate, "userId: an application of this user is in progress ("+last.Reference+")")
		} else if err != nil && !kyc.IsNotFound(err) {
			return kyc.Verification{}, err
		}
		if a, err = d.cfg.Applicants.Update(ctx, p, a.ID, patchOf(in.PII)); err != nil {
			return kyc.Verification{}, err
		}
	}
	kinds := map[kyc.DocumentKind]bool{}
	for part := first; part != nil; {
		kind, ok := fileKinds[part.FormName()]
		if !ok {
			return kyc.Verification{}, fail(CodeParameter, part.FormName()+": unknown file; send idFront, idBack or face")
		}
		if kinds[kind] {
			return kyc.Verification{}, fail(CodeParameter, part.FormName()+": sent more than once; send each file once")
		}
		if _, err := d.cfg.Applicants.UploadDocument(ctx, p, a.ID, kind, part); err != nil {
			var fe *kyc.FieldError
			if errors.As(err, &fe) {
				return kyc.Verification{}, fail(CodeParameter, part.FormName()+": "+fe.Msg)
			}
			return kyc.Verification{}, err
		}
		kinds[kind] = true
		next, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return kyc.Verification{}, fail(CodeParameter, "body: malformed multipart form")
		}
		if _, isFile := fileKinds[next.FormName()]; !isFile {
			return kyc.Verification{}, fail(CodeParameter, next.FormName()+": text fields must come before the files")
		}
		part = next
	}
	v, err := d.core.Create(ctx, p, Surface, verification.CreateInput{ApplicantID: a.ID, Reference: newKYCNumber(), CallbackURL: callback})
	if err != nil {
		return v, err
	}
	if kinds[kyc.DocIDFront] && kinds[kyc.DocSelfie] {
		return d.core.Submit(ctx, p, v.ID)
	}
	return v, nil
}

func patchOf(p kyc.PII) applicant.Patch {
	s := func(v string) *string { return &v }
	patch := applicant.Patch{FirstName: s(p.FirstName), LastName: s(p.LastName), Nationality: s(p.Nationality),
		Email: s(p.Email), Phone: s(p.Phone), DocumentNumber: s(p.DocumentNumber), DateOfBirth: s(p.DateOfBirth)}
	if p.Address != nil {
		patch.Address = p.Address
	}
	return patch
}

// newKYCNumber is the reference of a Vexora application: "KYC" and 20
// characters of a time-ordered random id.
func newKYCNumber() string {
	id := kyc.NewID("")
	return "KYC" + strings.ToUpper(id[6:])
}

func jsonEncode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
