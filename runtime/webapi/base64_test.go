package webapi

import "testing"

func TestBase64(t *testing.T) {
	invalid := func(call string) string {
		return `try { ` + call + `; "no" } catch (e) { e.name + "/" + (e instanceof DOMException) + "/" + e.code }`
	}
	runCases(t, []jsCase{
		// RFC 4648 section 10.
		{"rfc4648", `["", "f", "fo", "foo", "foob", "fooba", "foobar"].map(btoa).join()`, ",Zg==,Zm8=,Zm9v,Zm9vYg==,Zm9vYmE=,Zm9vYmFy"},
		{"rfc4648 back", `["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"].map(atob).join()`, ",f,fo,foo,foob,fooba,foobar"},
		{"latin1", `btoa("\xff\xfe\x00")`, "//4A"},
		{"latin1 back", `Array.from(atob("//4A"), (c) => c.charCodeAt(0)).join()`, "255,254,0"},
		{"btoa non-latin1", invalid(`btoa("€")`), "InvalidCharacterError/true/5"},
		{"btoa number", `btoa(12)`, "MTI="},
		{"atob unpadded", `atob("Zg") + atob("Zm8")`, "ffo"},
		{"atob whitespace", `atob(" Zm9v\tYm\nFy\f\r ")`, "foobar"},
		{"atob nonzero trailing bits", `atob("Zh==")`, "f"},
		{"atob bad padding", invalid(`atob("Zg=")`), "InvalidCharacterError/true/5"},
		{"atob mod 4 is 1", invalid(`atob("Zm9vY")`), "InvalidCharacterError/true/5"},
		{"atob bad char", invalid(`atob("Zm9v!")`), "InvalidCharacterError/true/5"},
		{"atob url alphabet", invalid(`atob("-_-_")`), "InvalidCharacterError/true/5"},
		{"atob inner padding", invalid(`atob("Zg==Zg==")`), "InvalidCharacterError/true/5"},
		{"atob non-ascii", invalid(`atob("Zm9vé")`), "InvalidCharacterError/true/5"},
		{"no argument", `try { atob(); "no" } catch (e) { e instanceof TypeError }`, true},
		{"names", `atob.name + btoa.name`, "atobbtoa"},
	})
}
