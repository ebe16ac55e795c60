package client

import (
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// ApplicantInput creates an applicant.
type ApplicantInput struct {
	ExternalUserID string `json:"external_user_id"`
	FirstName      string `json:"first_name,omitempty"`
	LastName       string `json:"last_name,omitempty"`
	DateOfBirth    string `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	Nationality    string `json:"nationality,omitempty"`   // ISO 3166 alpha-2 or alpha-3
	Email          string `json:"email,omitempty"`
	Phone          string `json:"phone,omitempty"`
	DocumentNumber string `json:"document_number,omitempty"`
	DocumentExpiry string `json:"document_expiry,omitempty"`
	// DocumentType (passport, id_card, driving_license, residence_permit)
	// and DocumentCountry declare the document the user presents.
	DocumentType    string   `json:"document_type,omitempty"`
	DocumentCountry string   `json:"document_country,omitempty"`
	Address         *Address `json:"address,omitempty"`
}

// ApplicantPatch changes an applicant: nil fields stay, "" clears.
type ApplicantPatch struct {
	FirstName       *string  `json:"first_name,omitempty"`
	LastName        *string  `json:"last_name,omitempty"`
	DateOfBirth     *string  `json:"date_of_birth,omitempty"`
	Nationality     *string  `json:"nationality,omitempty"`
	Email           *string  `json:"email,omitempty"`
	Phone           *string  `json:"phone,omitempty"`
	DocumentNumber  *string  `json:"document_number,omitempty"`
	DocumentExpiry  *string  `json:"document_expiry,omitempty"`
	DocumentType    *string  `json:"document_type,omitempty"`
	DocumentCountry *string  `json:"document_country,omitempty"`
	Address         *Address `json:"address,omitempty"`
}

// Applicant is an applicant as the API answers it.
type Applicant struct {
	ID              string   `json:"id"`
	ExternalUserID  string   `json:"external_user_id"`
	FirstName       string   `json:"first_name,omitempty"`
	LastName        string   `json:"last_name,omitempty"`
	DateOfBirth     string   `json:"date_of_birth,omitempty"`
	Nationality     string   `json:"nationality,omitempty"`
	Email           string   `json:"email,omitempty"`
	Phone           string   `json:"phone,omitempty"`
	DocumentNumber  string   `json:"document_number,omitempty"`
	DocumentExpiry  string   `json:"document_expiry,omitempty"`
	DocumentType    string   `json:"document_type,omitempty"`
	DocumentCountry string   `json:"document_country,omitempty"`
	Address         *Address `json:"address,omitempty"`
	// Status is active, deleted (waiting for its purge, restorable) or
	// erased (purged: only the tombstone remains).
	Status            string     `json:"status"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	DeletedAt         *time.Time `json:"deleted_at,omitempty"`
	PurgeAfter        *time.Time `json:"purge_after,omitempty"`
	ErasedAt          *time.Time `json:"erased_at,omitempty"`
	DocumentsErasedAt *time.Time `json:"documents_erased_at,omitempty"`
}

// Applicant statuses.
const (
	ApplicantActive  = "active"
	ApplicantDeleted = "deleted"
	ApplicantErased  = "erased"
)

// CreateApplicant creates an applicant (repeating it with the same data
// answers the existing one).
func (c *Client) CreateApplicant(ctx context.Context, in ApplicantInput) (Applicant, error) {
	var out Applicant
	return out, c.json(ctx, http.MethodPost, "/v1/applicants", in, &out)
}

// GetApplicant reads an applicant.
func (c *Client) GetApplicant(ctx context.Context, id string) (Applicant, error) {
	var out Applicant
	return out, c.json(ctx, http.MethodGet, "/v1/applicants/"+esc(id), nil, &out)
}

// UpdateApplicant changes an applicant.
func (c *Client) UpdateApplicant(ctx context.Context, id string, p ApplicantPatch) (Applicant, error) {
	var out Applicant
	return out, c.json(ctx, http.MethodPatch, "/v1/applicants/"+esc(id), p, &out)
}

// DeleteApplicant records an erasure request: the applicant is purged when
// the restore window ends, or now with immediate.
func (c *Client) DeleteApplicant(ctx context.Context, id string, immediate bool) (Applicant, error) {
	var out Applicant
	path := "/v1/applicants/" + esc(id)
	if immediate {
		path += "?immediate=true"
	}
	return out, c.json(ctx, http.MethodDelete, path, nil, &out)
}

// RestoreApplicant undoes a deletion before the purge.
func (c *Client) RestoreApplicant(ctx context.Context, id string) (Applicant, error) {
	var out Applicant
	return out, c.json(ctx, http.MethodPost, "/v1/applicants/"+esc(id)+"/restore", nil, &out)
}

// DeleteBiometrics deletes an applicant's selfies, liveness frames and face
// embeddings and returns how many documents went.
func (c *Client) DeleteBiometrics(ctx context.Context, id string) (int64, error) {
	var out struct {
		DocumentsDeleted int64 `json:"documents_deleted"`
	}
	return out.DocumentsDeleted, c.json(ctx, http.MethodDelete, "/v1/applicants/"+esc(id)+"/biometrics", nil, &out)
}

// ExportApplicant streams the zip archive of everything held about an
// applicant (export.json and documents/) to w.
func (c *Client) ExportApplicant(ctx context.Context, id string, w io.Writer) error {
	return c.download(ctx, "/v1/applicants/"+esc(id)+"/export", w)
}

// Retention is a merchant's retention, in days (0: keep).
type Retention struct {
	DocumentsDays int `json:"documents_days"`
	PIIDays       int `json:"pii_days"`
	RestoreDays   int `json:"restore_days"`
}

// GetRetention reads the retention settings.
func (c *Client) GetRetention(ctx context.Context) (Retention, error) {
	var out Retention
	return out, c.json(ctx, http.MethodGet, "/v1/retention", nil, &out)
}

// SetRetention replaces the retention settings.
func (c *Client) SetRetention(ctx context.Context, r Retention) (Retention, error) {
	var out Retention
	return out, c.json(ctx, http.MethodPut, "/v1/retention", r, &out)
}

// Document kinds.
const (
	DocIDFront        = "id_front"
	DocIDBack         = "id_back"
	DocSelfie         = "selfie"
	DocSelfieWithID   = "selfie_with_id"
	DocSignature      = "signature"
	DocProofOfAddress = "proof_of_address"
	DocAMLReport      = "aml_report"
	DocIDVReport      = "idv_report"
)

// Document is an uploaded document.
type Document struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// UploadDocument uploads a photo (JPEG, PNG, WebP, HEIC) or a PDF report of
// an applicant. The file is streamed.
func (c *Client) UploadDocument(ctx context.Context, applicantID, kind, filename string, file io.Reader) (Document, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("kind", kind)
		if err == nil {
			var part io.Writer
			if part, err = mw.CreateFormFile("file", filename); err == nil {
				if _, err = io.Copy(part, file); err == nil {
					err = mw.Close()
				}
			}
		}
		pw.CloseWithError(err)
	}()
	var out Document
	err := c.do(ctx, http.MethodPost, "/v1/applicants/"+esc(applicantID)+"/documents", pr, mw.FormDataContentType(), &out)
	pr.CloseWithError(io.ErrClosedPipe) // stops the writer if the server answered early
	return out, err
}

// VerificationInput starts a verification.
type VerificationInput struct {
	ApplicantID string `json:"applicant_id"`
	Reference   string `json:"reference"`       // yours, unique per merchant
	Level       string `json:"level,omitempty"` // default basic
}

// Check is one check result.
type Check struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"` // passed, failed, review, not_run, error
	// NotRunKind says why a not_run check did not run: unavailable (its
	// engine, assets or lists are missing, stale or failed) or
	// not_applicable (the input has nothing for it).
	NotRunKind    string          `json:"not_run_kind,omitempty"`
	Score         float64         `json:"score"`
	ReasonCode    string          `json:"reason_code,omitempty"`
	Evidence      json.RawMessage `json:"evidence"`
	EngineVersion string          `json:"engine_version"`
	CreatedAt     time.Time       `json:"created_at"`
}

// Verification is a verification. Decision and RejectType are set once
// State is completed.
type Verification struct {
	ID          string    `json:"id"`
	ApplicantID string    `json:"applicant_id"`
	Reference   string    `json:"reference"`
	Level       string    `json:"level"`
	State       string    `json:"state"`       // created, submitted, processing, review, completed, expired, cancelled
	Decision    *string   `json:"decision"`    // approved, rejected
	RejectType  *string   `json:"reject_type"` // retry, final
	Reasons     []string  `json:"reasons"`     // the decision's codes; in review, why it was handed over (CHECK_UNAVAILABLE, ...)
	UserMessage string    `json:"user_message,omitempty"`
	Attempt     int       `json:"attempt"`
	Checks      []Check   `json:"checks,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// CreateVerification starts a verification in state created.
func (c *Client) CreateVerification(ctx context.Context, in VerificationInput) (Verification, error) {
	var out Verification
	return out, c.json(ctx, http.MethodPost, "/v1/verifications", in, &out)
}

// SubmitVerification submits it for checking (again, after a retry rejection).
func (c *Client) SubmitVerification(ctx context.Context, id string) (Verification, error) {
	var out Verification
	return out, c.json(ctx, http.MethodPost, "/v1/verifications/"+esc(id)+"/submit", nil, &out)
}

// GetVerification reads a verification with its check results.
func (c *Client) GetVerification(ctx context.Context, id string) (Verification, error) {
	var out Verification
	return out, c.json(ctx, http.MethodGet, "/v1/verifications/"+esc(id), nil, &out)
}

// ListOptions selects a page of verifications.
type ListOptions struct {
	State  string
	Cursor string // NextCursor of the previous page
	Limit  int    // 1-200, default 50
}

// VerificationList is a page, newest first.
type VerificationList struct {
	Items      []Verification `json:"items"`
	NextCursor *string        `json:"next_cursor"` // nil on the last page
}

// ListVerifications lists verifications, newest first.
func (c *Client) ListVerifications(ctx context.Context, o ListOptions) (VerificationList, error) {
	q := url.Values{}
	if o.State != "" {
		q.Set("state", o.State)
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	path := "/v1/verifications"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out VerificationList
	return out, c.json(ctx, http.MethodGet, path, nil, &out)
}

// LinkInput configures a hosted verification page link.
type LinkInput struct {
	TTLSeconds int    `json:"ttl_seconds,omitempty"` // 300 to 604800; default 86400
	ReturnURL  string `json:"return_url,omitempty"`  // https URL the user is sent to once done
	Locale     string `json:"locale,omitempty"`      // en or zh-CN
}

// Link is a hosted page link; its URL holds a secret token: give it to the
// end user only.
type Link struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CreateLink creates a hosted verification page link for a verification.
func (c *Client) CreateLink(ctx context.Context, verificationID string, in LinkInput) (Link, error) {
	var out Link
	return out, c.json(ctx, http.MethodPost, "/v1/verifications/"+esc(verificationID)+"/links", in, &out)
}

// WebhookEndpoint is a registered endpoint; Secret is set only when it is
// created or rotated.
type WebhookEndpoint struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateWebhook registers an endpoint for some event types (none: all).
func (c *Client) CreateWebhook(ctx context.Context, endpointURL string, events []string) (WebhookEndpoint, error) {
	var out WebhookEndpoint
	return out, c.json(ctx, http.MethodPost, "/v1/webhooks", struct {
		URL    string   `json:"url"`
		Events []string `json:"events,omitempty"`
	}{endpointURL, events}, &out)
}

// ListWebhooks lists the endpoints.
func (c *Client) ListWebhooks(ctx context.Context) ([]WebhookEndpoint, error) {
	var out struct {
		Items []WebhookEndpoint `json:"items"`
	}
	return out.Items, c.json(ctx, http.MethodGet, "/v1/webhooks", nil, &out)
}

// DeleteWebhook stops deliveries to an endpoint.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.json(ctx, http.MethodDelete, "/v1/webhooks/"+esc(id), nil, nil)
}

// RotateWebhookSecret makes a new secret; for 24 h deliveries carry both
// signatures.
func (c *Client) RotateWebhookSecret(ctx context.Context, id string) (string, error) {
	var out struct {
		Secret string `json:"secret"`
	}
	return out.Secret, c.json(ctx, http.MethodPost, "/v1/webhooks/"+esc(id)+"/rotate", nil, &out)
}

// Delivery is one delivery attempt.
type Delivery struct {
	ID         string    `json:"id"`
	EventID    string    `json:"event_id"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"` // 0 when no answer arrived
	Error      string    `json:"error,omitempty"`
	DurationMS float64   `json:"duration_ms"`
	CreatedAt  time.Time `json:"created_at"`
}

// Deliveries lists an endpoint's delivery attempts, newest first.
func (c *Client) Deliveries(ctx context.Context, endpointID string, limit int) ([]Delivery, error) {
	path := "/v1/webhooks/" + esc(endpointID) + "/deliveries"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	var out struct {
		Items []Delivery `json:"items"`
	}
	return out.Items, c.json(ctx, http.MethodGet, path, nil, &out)
}

// Redeliver sends an event again to its endpoints (same webhook-id).
func (c *Client) Redeliver(ctx context.Context, eventID string) error {
	return c.json(ctx, http.MethodPost, "/v1/events/"+esc(eventID)+"/redeliver", nil, nil)
}

// ScreeningRequest screens a name against the sanctions lists.
type ScreeningRequest struct {
	Name        string   `json:"name"`
	DateOfBirth string   `json:"date_of_birth,omitempty"` // YYYY, YYYY-MM or YYYY-MM-DD
	Nationality string   `json:"nationality,omitempty"`
	Gender      string   `json:"gender,omitempty"` // male, female
	Type        string   `json:"type,omitempty"`   // person, entity, vessel, aircraft
	Threshold   *float64 `json:"threshold,omitempty"`
	Limit       int      `json:"limit,omitempty"`
}

// NamePart is one aligned part of a matched name.
type NamePart struct {
	Query string  `json:"query"`
	Entry string  `json:"entry"`
	How   string  `json:"how"`
	Score float64 `json:"score"`
}

// Qualifier is a score change from data beyond the name.
type Qualifier struct {
	Field  string  `json:"field"`
	Query  string  `json:"query"`
	Entry  string  `json:"entry,omitempty"`
	Result string  `json:"result"`
	Effect float64 `json:"effect"`
}

// Explanation says why an entry scored what it did.
type Explanation struct {
	MatchedName    string      `json:"matched_name"`
	WeakAlias      bool        `json:"weak_alias,omitempty"`
	NameScore      float64     `json:"name_score"`
	Parts          []NamePart  `json:"parts"`
	QueryUnmatched []string    `json:"query_unmatched,omitempty"`
	EntryUnmatched []string    `json:"entry_unmatched,omitempty"`
	Qualifiers     []Qualifier `json:"qualifiers,omitempty"`
}

// Hit is one listed entry that matched.
type Hit struct {
	List        string      `json:"list"`
	EntryID     string      `json:"entry_id"`
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Score       float64     `json:"score"`
	Explanation Explanation `json:"explanation"`
}

// ListVersion identifies a list version.
type ListVersion struct {
	List      string `json:"list"`
	Published string `json:"published,omitempty"`
	SHA256    string `json:"sha256"`
	Entries   int    `json:"entries"`
}

// ScreeningResponse is the hits, strongest first, and the lists searched.
type ScreeningResponse struct {
	Hits  []Hit         `json:"hits"`
	Lists []ListVersion `json:"lists"`
}

// Screen screens a name.
func (c *Client) Screen(ctx context.Context, in ScreeningRequest) (ScreeningResponse, error) {
	var out ScreeningResponse
	return out, c.json(ctx, http.MethodPost, "/v1/screenings", in, &out)
}

// BlocklistEntry is a blocked value.
type BlocklistEntry struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"` // document_number, email, phone, name
	Value     string    `json:"value"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// AddBlocklistEntry blocks a value: applicants with it are rejected.
func (c *Client) AddBlocklistEntry(ctx context.Context, kind, value, note string) (BlocklistEntry, error) {
	var out BlocklistEntry
	return out, c.json(ctx, http.MethodPost, "/v1/blocklist", struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
		Note  string `json:"note,omitempty"`
	}{kind, value, note}, &out)
}

// Blocklist lists the blocked values.
func (c *Client) Blocklist(ctx context.Context) ([]BlocklistEntry, error) {
	var out struct {
		Items []BlocklistEntry `json:"items"`
	}
	return out.Items, c.json(ctx, http.MethodGet, "/v1/blocklist", nil, &out)
}

// RemoveBlocklistEntry unblocks a value.
func (c *Client) RemoveBlocklistEntry(ctx context.Context, id string) error {
	return c.json(ctx, http.MethodDelete, "/v1/blocklist/"+esc(id), nil, nil)
}
