package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
)

// DialectSettings are the merchant's settings of one provider dialect.
type DialectSettings struct {
	Dialect        string    `json:"dialect" enum:"vexora,kyc_sharing,card_binding,paycools"`
	CallbackURL    string    `json:"callback_url" doc:"Default callback URL; a callback URL given with a request wins"`
	Ack            string    `json:"ack" doc:"What acknowledges a callback: 2xx (any 2xx), 200 (exactly 200), or codeN (a 2xx whose JSON body has code N, such as code0 or code1)"`
	PublicKey      string    `json:"public_key,omitempty" doc:"card_binding and paycools: the merchant's RSA public key (PEM) that verifies its requests"`
	AllowIDCard    bool      `json:"allow_id_card" doc:"card_binding: accept doc_type 2 (identity card)"`
	AddressPattern string    `json:"address_pattern,omitempty" doc:"card_binding: RE2 pattern for kyc_info.address; empty is the default"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
	// PreviousPublicKeyUntil is when the replaced public key stops verifying.
	PreviousPublicKeyUntil time.Time `json:"previous_public_key_until,omitzero" doc:"card_binding and paycools: the replaced public key verifies requests until then"`
}

// DialectSettingsPatch changes some settings; absent fields stay.
type DialectSettingsPatch struct {
	CallbackURL    *string `json:"callback_url,omitempty" maxLength:"2048" doc:"Empty clears it"`
	Ack            *string `json:"ack,omitempty" doc:"2xx, 200 or codeN; empty is the dialect's default"`
	PublicKey      *string `json:"public_key,omitempty" maxLength:"8192" doc:"card_binding and paycools: PEM PUBLIC KEY, RSA 2048 bits or more"`
	AllowIDCard    *bool   `json:"allow_id_card,omitempty" doc:"card_binding only"`
	AddressPattern *string `json:"address_pattern,omitempty" maxLength:"512" doc:"card_binding only"`
	// PublicKeyOverlapSeconds keeps the replaced key working for a while.
	PublicKeyOverlapSeconds *int `json:"public_key_overlap_seconds,omitempty" minimum:"0" maximum:"2592000" doc:"With public_key: the replaced key keeps verifying requests this long (default 0: it stops at once)"`
}

func toDialectSettings(s merchant.Settings) DialectSettings {
	return DialectSettings{Dialect: s.Dialect.APIName(), CallbackURL: s.CallbackURL, Ack: s.Ack, PublicKey: s.PublicKey,
		AllowIDCard: s.AllowIDCard, AddressPattern: s.AddressPattern, UpdatedAt: s.UpdatedAt, PreviousPublicKeyUntil: s.PreviousPublicKeyUntil}
}

// apiDialect is the surface an API path names; huma's enum has refused
// other names already (the empty surface then fails as unknown).
func apiDialect(name string) kyc.Surface {
	d, _ := kyc.ParseDialect(name)
	return d
}

type dialectPath struct {
	Dialect string `path:"dialect" enum:"vexora,kyc_sharing,card_binding,paycools"`
}

func (s *server) dialectRoutes() {
	tags := []string{"Dialects"}
	huma.Register(s.api, huma.Operation{
		OperationID: "get-dialect-settings", Method: http.MethodGet, Path: "/v1/dialects/{dialect}/settings", Tags: tags,
		Summary: "Get the merchant's settings of a provider dialect", Responses: errorResponses(401, 422),
	}, func(ctx context.Context, in *dialectPath) (*struct{ Body DialectSettings }, error) {
		set, err := s.Merchants.Settings(ctx, principal(ctx).MerchantID, apiDialect(in.Dialect))
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body DialectSettings }{toDialectSettings(set)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "update-dialect-settings", Method: http.MethodPatch, Path: "/v1/dialects/{dialect}/settings", Tags: tags,
		Summary: "Change the merchant's settings of a provider dialect", MaxBodyBytes: 16 << 10, Responses: errorResponses(400, 401, 422),
	}, func(ctx context.Context, in *struct {
		Dialect string `path:"dialect" enum:"vexora,kyc_sharing,card_binding,paycools"`
		Body    DialectSettingsPatch
	}) (*struct{ Body DialectSettings }, error) {
		set, err := s.Merchants.UpdateSettings(ctx, principal(ctx), apiDialect(in.Dialect), merchant.SettingsPatch(in.Body))
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body DialectSettings }{toDialectSettings(set)}, nil
	})
}
