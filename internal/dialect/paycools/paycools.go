// Package paycools is the PayCools eKYC dialect (../shared/DIALECTS.md §1):
// Init returns a hosted-page URL (ekycUrl), Check Result and the
// Notification carry the result object built from the real check results.
// Requests are {appId, sign, param} with param a JSON string signed with the
// merchant's RSA key; answers and notifications are signed with the
// platform's key. It is an adapter only. See README.md.
package paycools

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/applicant"
	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/hostedlink"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/verification"
)

// Surface is the surface name of this dialect.
const Surface = kyc.SurfacePayCools

// Merchants is what the dialect needs of the merchant service.
type Merchants interface {
	DialectSecret(ctx context.Context, dialect kyc.Surface, appID string) (kyc.Merchant, string, error)
	Settings(ctx context.Context, merchantID string, dialect kyc.Surface) (merchant.Settings, error)
	PlatformKey(ctx context.Context, merchantID string, dialect kyc.Surface) (*rsa.PrivateKey, string, error)
	ByID(ctx context.Context, id string) (kyc.Merchant, error)
}

// Core is what the dialect needs of the verification service.
type Core interface {
	Create(ctx context.Context, p kyc.Principal, surface kyc.Surface, in verification.CreateInput) (kyc.Verification, error)
	ByReference(ctx context.Context, p kyc.Principal, surface kyc.Surface, reference string) (kyc.Verification, error)
	ByID(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
	Get(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, []kyc.Check, error)
	OpenEvidence(sealed, verificationID string) ([]byte, error)
}

// Links creates hosted-page links.
type Links interface {
	Create(ctx context.Context, p kyc.Principal, verificationID string, in hostedlink.Input) (hostedlink.Issued, error)
	Latest(ctx context.Context, merchantID, verificationID string) (hostedlink.Link, error)
}

// Hasher keys image URL signatures (the keyring's HMAC).
type Hasher interface {
	LookupHash(kind, normalised string) string
}

// Config configures the dialect.
type Config struct {
	Merchants    Merchants
	Core         Core
	Applicants   dialect.Applicants
	Links        Links
	Hasher       Hasher
	PublicURL    string // base of image URLs
	AllowPrivate bool   // notify and return URLs on private addresses (development)
	ValidateURL  func(ctx context.Context, raw string, allowPrivate bool) (string, error)
	Now          func() time.Time
}

// Dialect serves the PayCools eKYC API.
type Dialect struct {
	merchants Merchants
	core      Core
	links     Links
	hasher    Hasher
	cfg       Config

	keys dialect.PublicKeys // parsed merchant keys by PEM
}

// New returns the dialect's handler.
func New(cfg Config) *Dialect {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Dialect{merchants: cfg.Merchants, core: cfg.Core, links: cfg.Links, hasher: cfg.Hasher, cfg: cfg}
}

// Paths of the dialect.
const (
	PathInit        = "/paycools/ekyc/init"
	PathCheckResult = "/paycools/ekyc/checkResult"
	PathImages      = "/paycools/ekyc/images/"
)

// Routes mounts the dialect.
func (h *Dialect) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathInit, h.init)
	mux.HandleFunc("POST "+PathCheckResult, h.checkResult)
	mux.HandleFunc("GET "+PathImages+"{id}", h.image)
}

// Window is how far an optional request timestamp may be from the clock.
const Window = 5 * time.Minute

// TimeLayout is how PayCools writes times (UTC).
const TimeLayout = "2006-01-02 15:04:05"

const maxBody = 64 << 10

// Envelope is a request: param is the business object as a JSON string.
type Envelope struct {
	AppID string `json:"appId"`
	Sign  string `json:"sign"`
	Param string `json:"param"`
}

// request is an authenticated request: its merchant and its param fields.
type request struct {
	p      kyc.Principal
	m      kyc.Merchant
	fields map[string]json.RawMessage
}

// authenticate reads the envelope, verifies sign over the exact bytes of
// param with the merchant's public key, and only then parses param.
func (h *Dialect) authenticate(w http.ResponseWriter, r *http.Request) (request, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return request{}, fail(CodeParam, "body: unreadable or larger than 64 KiB")
	}
	var env Envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return request{}, fail(CodeParam, "body: must be {appId, sign, param} with param a JSON string")
	}
	if env.AppID == "" {
		return request{}, fail(CodeAppID, "appId: is required")
	}
	ctx := r.Context()
	m, _, err := h.merchants.DialectSecret(ctx, Surface, env.AppID)
	if err != nil {
		return request{}, err
	}
	set, err := h.merchants.Settings(ctx, m.ID, Surface)
	if err != nil {
		return request{}, err
	}
	if env.Sign == "" {
		return request{}, fail(CodeSign, "sign: is required")
	}
	// The previous key verifies too while a replacement's overlap lasts.
	verified := false
	for _, pemText := range set.PublicKeys(h.cfg.Now()) {
		pub, err := h.publicKey(pemText)
		if err != nil {
			return request{}, err
		}
		if okcrypto.VerifySHA256(pub, []byte(env.Param), env.Sign) {
			verified = true
			break
		}
	}
	if !verified {
		return request{}, fail(CodeSign, "sign: does not verify over param with the merchant's public key")
	}
	req := request{p: kyc.Principal{MerchantID: m.ID, Actor: "paycools:" + env.AppID}, m: m}
	if err := json.Unmarshal([]byte(env.Param), &req.fields); err != nil || req.fields == nil {
		return req, fail(CodeParam, "param: must be a JSON object serialised as a string")
	}
	if raw, ok := req.fields["timestamp"]; ok {
		ms, err := strconv.ParseInt(strings.Trim(string(raw), `"`), 10, 64)
		if err != nil || ms < 1e12 {
			return req, fail(CodeTimestamp, "timestamp: must be Unix milliseconds")
		}
		if d := h.cfg.Now().Sub(time.UnixMilli(ms)); d > Window || d < -Window {
			return req, fail(CodeExpired, "timestamp: outside the allowed window of 5 minutes")
		}
	}
	return req, nil
}

// str reads a string field of param; numbers are accepted as written.
func (r request) str(name string) (string, error) {
	raw := bytes.TrimSpace(r.fields[name])
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fail(CodeParam, name+": must be a string")
		}
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fail(CodeParam, name+": must be a string")
	}
	return n.String(), nil
}

func (r request) only(names ...string) error {
	for k := range r.fields {
		known := false
		for _, n := range names {
			known = known || k == n
		}
		if !known {
			return fail(CodeParam, k+": unknown field")
		}
	}
	return nil
}

var orderRE = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

// docTypes maps accepted docType values to the hosted page's document types.
var docTypes = map[string]string{"00000001003": "passport", "PASSPORT": "passport", "ID_CARD": "id_card", "DRIVING_LICENSE": "driving_license"}

// InitParam is the validated Init request.
type InitParam struct {
	MchOrderID string
	UserID     string
	DocType    string
	NotifyURL  string
	ReturnURL  string
	Locale     string
}

func (h *Dialect) initParam(ctx context.Context, r request) (InitParam, error) {
	if err := r.only("mchOrderId", "userId", "docType", "notifyUrl", "returnUrl", "locale", "timestamp"); err != nil {
		return InitParam{}, err
	}
	var in InitParam
	var err error
	get := func(name string, dst *string) {
		if err == nil {
			*dst, err = r.str(name)
		}
	}
	get("mchOrderId", &in.MchOrderID)
	get("userId", &in.UserID)
	get("docType", &in.DocType)
	get("notifyUrl", &in.NotifyURL)
	get("returnUrl", &in.ReturnURL)
	get("locale", &in.Locale)
	switch {
	case err != nil:
		return in, err
	case !orderRE.MatchString(in.MchOrderID):
		return in, fail(CodeParam, "mchOrderId: is required, 1 to 32 letters or digits")
	case in.UserID == "" || len(in.UserID) > 64:
		return in, fail(CodeParam, "userId: is required, at most 64 characters")
	}
	if err := kyc.CheckIdentifier("userId", in.UserID); err != nil {
		return in, err
	}
	if in.DocType != "" {
		if _, ok := docTypes[strings.ToUpper(in.DocType)]; !ok {
			return in, fail(CodeParam, "docType: must be 00000001003, PASSPORT, ID_CARD or DRIVING_LICENSE")
		}
	}
	switch strings.ReplaceAll(strings.ToLower(in.Locale), "_", "-") {
	case "":
	case "en", "en-us", "en-gb", "en-ph":
		in.Locale = "en"
	case "zh", "zh-cn", "zh-hans":
		in.Locale = "zh-CN"
	default:
		return in, fail(CodeParam, "locale: must be en or zh-CN")
	}
	if in.NotifyURL != "" && h.cfg.ValidateURL != nil {
		if in.NotifyURL, err = h.cfg.ValidateURL(ctx, in.NotifyURL, h.cfg.AllowPrivate); err != nil {
			return in, fail(CodeParam, "notifyUrl: "+err.Error())
		}
	}
	return in, nil
}

// InitData is the data of an Init answer.
type InitData struct {
	BusinessID string `json:"businessId"`
	MchOrderID string `json:"mchOrderId"`
	EkycURL    string `json:"ekycUrl"`
	ExpireTime string `json:"expireTime,omitempty"`
}

// init creates the verification and its hosted link; the same mchOrderId
// with the same content returns the verification with a new link.
func (h *Dialect) init(w http.ResponseWriter, r *http.Request) {
	req, err := h.authenticate(w, r)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	ctx := r.Context()
	in, err := h.initParam(ctx, req)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	v, err := h.core.ByReference(ctx, req.p, Surface, in.MchOrderID)
	switch {
	case err == nil:
		a, err := h.cfg.Applicants.Get(ctx, req.p, v.ApplicantID)
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		if a.ExternalUserID != in.UserID || v.CallbackURL != in.NotifyURL {
			h.writeErr(w, r, fail(CodeDuplicate, "mchOrderId: already used with other content"))
			return
		}
	case kyc.IsNotFound(err):
		a, err := h.cfg.Applicants.Find(ctx, req.p, Surface, in.UserID)
		if kyc.IsNotFound(err) {
			a, _, err = h.cfg.Applicants.Create(ctx, req.p, Surface, applicant.Input{ExternalUserID: in.UserID})
		}
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		v, err = h.core.Create(ctx, req.p, Surface, verification.CreateInput{ApplicantID: a.ID, Reference: in.MchOrderID, CallbackURL: in.NotifyURL})
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
	default:
		h.writeErr(w, r, err)
		return
	}
	data := InitData{BusinessID: v.ID, MchOrderID: v.Reference}
	if hostedlink.TakesDocuments(v) {
		l, err := h.links.Create(ctx, req.p, v.ID, hostedlink.Input{ReturnURL: in.ReturnURL, Locale: in.Locale})
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		data.EkycURL, data.ExpireTime = l.URL, l.ExpiresAt.UTC().Format(TimeLayout)
	}
	h.ok(w, r, req.m.ID, data)
}

// checkResult answers the result object of a transaction.
func (h *Dialect) checkResult(w http.ResponseWriter, r *http.Request) {
	req, err := h.authenticate(w, r)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	if err := req.only("mchOrderId", "businessId", "isReturnImage", "timestamp"); err != nil {
		h.writeErr(w, r, err)
		return
	}
	order, err1 := req.str("mchOrderId")
	business, err2 := req.str("businessId")
	images, err3 := req.str("isReturnImage")
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
	}
	for _, id := range []struct{ field, v string }{{"mchOrderId", order}, {"businessId", business}} {
		if err := kyc.CheckIdentifier(id.field, id.v); err != nil {
			h.writeErr(w, r, err)
			return
		}
	}
	if images != "" && images != "Y" && images != "N" {
		h.writeErr(w, r, fail(CodeParam, "isReturnImage: must be Y or N"))
		return
	}
	ctx := r.Context()
	var v kyc.Verification
	switch {
	case business != "":
		v, err = h.core.ByID(ctx, req.p, business)
		if err == nil && order != "" && v.Reference != order {
			err = kyc.ErrNotFound
		}
	case order != "":
		v, err = h.core.ByReference(ctx, req.p, Surface, order)
	default:
		err = fail(CodeParam, "mchOrderId: mchOrderId or businessId is required")
	}
	if err == nil && v.Surface != Surface {
		err = kyc.ErrNotFound
	}
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	res, err := h.Result(ctx, req.p, req.m, v, images == "Y", ImageTTL)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	h.ok(w, r, req.m.ID, res)
}

// ok answers code 10000 with data serialised and signed with the platform key.
func (h *Dialect) ok(w http.ResponseWriter, r *http.Request, merchantID string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	key, _, err := h.merchants.PlatformKey(r.Context(), merchantID, Surface)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	sig, err := signParam(key, b)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, Response{Code: CodeOK, Message: "Success", Data: string(b), Sign: sig})
}
