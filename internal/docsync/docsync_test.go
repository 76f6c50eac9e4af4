package docsync

import "testing"

func TestReplaceAndSection(t *testing.T) {
	doc := "intro\n<!-- x:start -->\nold\n<!-- x:end -->\nrest\n"
	got, err := Replace(doc, "x", "new\nlines\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "intro\n<!-- x:start -->\nnew\nlines\n<!-- x:end -->\nrest\n"
	if got != want {
		t.Fatalf("Replace = %q, want %q", got, want)
	}
	body, err := Section(got, "x")
	if err != nil || body != "new\nlines" {
		t.Fatalf("Section = %q, %v", body, err)
	}
	if _, err := Section(doc, "missing"); err == nil {
		t.Fatal("Section of a missing name succeeded")
	}
	if _, err := Replace("<!-- x:end --> <!-- x:start -->", "x", ""); err == nil {
		t.Fatal("Replace accepted markers in the wrong order")
	}
}
