package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Address is a postal address on the wire.
type Address struct {
	Line1      string `json:"line1,omitempty" maxLength:"200"`
	City       string `json:"city,omitempty" maxLength:"100"`
	State      string `json:"state,omitempty" maxLength:"100"`
	PostalCode string `json:"postal_code,omitempty" maxLength:"20"`
	Country    string `json:"country,omitempty" maxLength:"3" doc:"ISO 3166-1 alpha-2 or alpha-3"`
}

// ApplicantBody creates an applicant.
type ApplicantBody struct {
	ExternalUserID  string   `json:"external_user_id" minLength:"1" maxLength:"128" doc:"Your id of this user; unique per merchant"`
	FirstName       string   `json:"first_name,omitempty" maxLength:"100"`
	LastName        string   `json:"last_name,omitempty" maxLength:"100"`
	DateOfBirth     string   `json:"date_of_birth,omitempty" maxLength:"10" doc:"YYYY-MM-DD"`
	Nationality     string   `json:"nationality,omitempty" maxLength:"3" doc:"ISO 3166-1 alpha-2 or alpha-3; answered as alpha-2"`
	Email           string   `json:"email,omitempty" maxLength:"254"`
	Phone           string   `json:"phone,omitempty" maxLength:"32" doc:"International format; answered as E.164"`
	DocumentNumber  string   `json:"document_number,omitempty" maxLength:"128" doc:"Number of the identity document, if known"`
	DocumentExpiry  string   `json:"document_expiry,omitempty" maxLength:"10" doc:"Expiry date of the identity document, YYYY-MM-DD, if known"`
	DocumentType    string   `json:"document_type,omitempty" doc:"The identity document the user presents: passport, id_card, driving_license or residence_permit; document.classification compares it with what is read"`
	DocumentCountry string   `json:"document_country,omitempty" maxLength:"3" doc:"Issuing country of that document, ISO 3166-1 alpha-2 or alpha-3; answered as alpha-2"`
	Address         *Address `json:"address,omitempty"`
}

// ApplicantPatchBody changes an applicant: absent fields stay, "" clears.
type ApplicantPatchBody struct {
	FirstName       *string  `json:"first_name,omitempty" maxLength:"100"`
	LastName        *string  `json:"last_name,omitempty" maxLength:"100"`
	DateOfBirth     *string  `json:"date_of_birth,omitempty" maxLength:"10"`
	Nationality     *string  `json:"nationality,omitempty" maxLength:"3"`
	Email           *string  `json:"email,omitempty" maxLength:"254"`
	Phone           *string  `json:"phone,omitempty" maxLength:"32"`
	DocumentNumber  *string  `json:"document_number,omitempty" maxLength:"128"`
	DocumentExpiry  *string  `json:"document_expiry,omitempty" maxLength:"10"`
	DocumentType    *string  `json:"document_type,omitempty" doc:"passport, id_card, driving_license or residence_permit; \"\" clears"`
	DocumentCountry *string  `json:"document_country,omitempty" maxLength:"3"`
	Address         *Address `json:"address,omitempty" doc:"Replaces the whole address"`
}

// Applicant is an applicant on the wire.
type Applicant struct {
	ID              string     `json:"id"`
	ExternalUserID  string     `json:"external_user_id"`
	FirstName       string     `json:"first_name,omitempty"`
	LastName        string     `json:"last_name,omitempty"`
	DateOfBirth     string     `json:"date_of_birth,omitempty"`
	Nationality     string     `json:"nationality,omitempty"`
	Email           string     `json:"email,omitempty"`
	Phone           string     `json:"phone,omitempty"`
	DocumentNumber  string     `json:"document_number,omitempty"`
	DocumentExpiry  string     `json:"document_expiry,omitempty"`
	DocumentType    string     `json:"document_type,omitempty"`
	DocumentCountry string     `json:"document_country,omitempty"`
	Address         *Address   `json:"address,omitempty"`
	Status          string     `json:"status" enum:"active,deleted,erased" doc:"deleted: waiting for its purge (restorable); erased: purged, only this tombstone remains"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	DeletedAt       *time.Time `json:"deleted_at,omitempty"`
	PurgeAfter      *time.Time `json:"purge_after,omitempty" doc:"When a deleted applicant is purged"`
	ErasedAt        *time.Time `json:"erased_at,omitempty"`
	// DocumentsErasedAt is when documents and biometrics were deleted by retention.
	DocumentsErasedAt *time.Time `json:"documents_erased_at,omitempty" doc:"When retention deleted the documents and biometrics"`
}

func toApplicant(a kyc.Applicant) Applicant {
	out := Applicant{ID: a.ID, ExternalUserID: a.ExternalUserID, FirstName: a.PII.FirstName, LastName: a.PII.LastName,
		DateOfBirth: a.PII.DateOfBirth, Nationality: a.PII.Nationality, Email: a.PII.Email, Phone: a.PII.Phone,
		DocumentNumber: a.PII.DocumentNumber, DocumentExpiry: a.PII.DocumentExpiry, DocumentType: a.PII.DocumentType,
		DocumentCountry: a.PII.DocumentCountry, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		Status: "active", DeletedAt: a.DeletedAt, PurgeAfter: a.PurgeAfter, ErasedAt: a.ErasedAt, DocumentsErasedAt: a.DocumentsErasedAt}
	switch {
	case a.Erased():
		out.Status = "erased"
	case a.Deleted():
		out.Status = "deleted"
	}
	if a.PII.Address != nil {
		ad := Address(*a.PII.Address)
		out.Address = &ad
	}
	return out
}

func fromAddress(a *Address) *kyc.Address {
	if a == nil {
		return nil
	}
	k := kyc.Address(*a)
	return &k
}

type applicantOut struct {
	Status int
	Body   Applicant
}

// applicantReply answers an applicant read or changed, or the error.
func applicantReply(ctx context.Context, a kyc.Applicant, err error) (*applicantOut, error) {
	if err != nil {
		return nil, fail(ctx, err)
	}
	return &applicantOut{Status: http.StatusOK, Body: toApplicant(a)}, nil
}

type idPath struct {
	ID string `path:"id" maxLength:"64" doc:"Applicant id"`
}

func (s *server) applicantRoutes() {
	huma.Register(s.api, huma.Operation{
		OperationID: "create-applicant", Method: http.MethodPost, Path: "/v1/applicants", Tags: []string{"Applicants"},
		Summary:       "Create an applicant",
		Description:   "Creates the applicant with this external_user_id (201). Repeating the call with the same data returns the existing applicant (200); with different data it is 409 applicant_data_mismatch.",
		DefaultStatus: http.StatusCreated, MaxBodyBytes: 64 << 10,
		Responses: errorResponses(400, 401, 409, 422),
	}, func(ctx context.Context, in *struct{ Body ApplicantBody }) (*applicantOut, error) {
		b := in.Body
		a, created, err := s.Applicants.Create(ctx, principal(ctx), kyc.SurfaceNative, applicant.Input{
			ExternalUserID: b.ExternalUserID,
			PII: kyc.PII{FirstName: b.FirstName, LastName: b.LastName, DateOfBirth: b.DateOfBirth, Nationality: b.Nationality,
				Email: b.Email, Phone: b.Phone, DocumentNumber: b.DocumentNumber, DocumentExpiry: b.DocumentExpiry, DocumentType: b.DocumentType,
				DocumentCountry: b.DocumentCountry, Address: fromAddress(b.Address)},
		})
		if err != nil {
			return nil, fail(ctx, err)
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return &applicantOut{Status: status, Body: toApplicant(a)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-applicant", Method: http.MethodGet, Path: "/v1/applicants/{id}", Tags: []string{"Applicants"},
		Summary: "Get an applicant", Responses: errorResponses(401, 404),
	}, func(ctx context.Context, in *idPath) (*applicantOut, error) {
		a, err := s.Applicants.Get(ctx, principal(ctx), in.ID)
		return applicantReply(ctx, a, err)
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-applicant", Method: http.MethodPatch, Path: "/v1/applicants/{id}", Tags: []string{"Applicants"},
		Summary:      "Update an applicant",
		Description:  "Changes the fields present in the body; an empty string clears a field; address is replaced as a whole.",
		MaxBodyBytes: 64 << 10, Responses: errorResponses(400, 401, 404, 422),
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64" doc:"Applicant id"`
		Body ApplicantPatchBody
	}) (*applicantOut, error) {
		b := in.Body
		a, err := s.Applicants.Update(ctx, principal(ctx), in.ID, applicant.Patch{
			FirstName: b.FirstName, LastName: b.LastName, DateOfBirth: b.DateOfBirth, Nationality: b.Nationality,
			Email: b.Email, Phone: b.Phone, DocumentNumber: b.DocumentNumber, DocumentExpiry: b.DocumentExpiry, DocumentType: b.DocumentType,
			DocumentCountry: b.DocumentCountry, Address: fromAddress(b.Address),
		})
		return applicantReply(ctx, a, err)
	})
}
