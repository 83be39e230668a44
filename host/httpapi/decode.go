package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// MaxBody is the largest request body, in bytes (1 MiB): a larger one is
// refused with 413.
const MaxBody = 1 << 20

// readBody decodes r's JSON body into v, which must be a pointer to a
// struct: the Content-Type must be application/json (a charset parameter,
// if any, utf-8), the body at most MaxBody bytes and exactly one JSON
// object without members v does not declare.
func readBody(w http.ResponseWriter, r *http.Request, v any) *apiError {
	if e := checkContentType(r.Header.Get("Content-Type")); e != nil {
		return e
	}
	if r.ContentLength > MaxBody {
		return tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge()
		}
		return badRequest("reading the body: " + err.Error())
	}
	return decodeBody(body, v)
}

func tooLarge() *apiError {
	return &apiError{http.StatusRequestEntityTooLarge, CodePayloadTooLarge, fmt.Sprintf("the body is over %d bytes", MaxBody)}
}

// checkContentType accepts application/json, with at most a utf-8 charset.
func checkContentType(ct string) *apiError {
	refuse := func(why string) *apiError {
		return &apiError{http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, why + ": send Content-Type: application/json"}
	}
	if ct == "" {
		return refuse("no Content-Type")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return refuse(fmt.Sprintf("Content-Type %q", ct))
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return refuse(fmt.Sprintf("Content-Type %q", ct))
		}
	}
	return nil
}

// decodeBody decodes one JSON object into v, refusing unknown members and
// anything after the object, with a message that names what is wrong.
func decodeBody(body []byte, v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(describe(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("the body has more after its JSON object")
	}
	return nil
}

// describe turns a decoding error into a message for the client.
func describe(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the body is empty: send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is not valid JSON: it ends too early"
	case errors.As(err, &se):
		return fmt.Sprintf("the body is not valid JSON: %s (at byte %d)", se.Error(), se.Offset)
	case errors.As(err, &te):
		if te.Field == "" {
			return fmt.Sprintf("the body must be a JSON object, not %s", article(te.Value))
		}
		return fmt.Sprintf("%q must be %s, not %s", te.Field, typeName(te.Type.String()), article(te.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown member " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "the body is not a valid request: " + err.Error()
}

// typeName names a Go type of the request structs in JSON's words.
func typeName(goType string) string {
	switch goType {
	case "string", "*string":
		return "a string"
	case "[]string":
		return "an array of strings"
	case "int", "*int":
		return "an integer"
	}
	return goType
}

// article puts "a" or "an" before a JSON kind as encoding/json names it
// ("number", "object", "array", "string", "bool", "number 1.5").
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}
