// Package docsync keeps generated sections of checked-in documents in step
// with the code that generates them. A section is the text between the
// lines <!-- NAME:start --> and <!-- NAME:end -->. Tests call Check with
// the text the code generates now; a stale copy fails the test, and the
// test's -update flag rewrites it.
package docsync

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Markers returns the start and end lines of section name.
func Markers(name string) (start, end string) {
	return fmt.Sprintf("<!-- %s:start -->", name), fmt.Sprintf("<!-- %s:end -->", name)
}

// Replace returns doc with section name's body replaced by body.
func Replace(doc, name, body string) (string, error) {
	start, end := Markers(name)
	i := strings.Index(doc, start)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("docsync: no %s ... %s section", start, end)
	}
	return doc[:i+len(start)] + "\n" + strings.TrimSpace(body) + "\n" + doc[j:], nil
}

// Section returns the body of section name in doc.
func Section(doc, name string) (string, error) {
	start, end := Markers(name)
	i := strings.Index(doc, start)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("docsync: no %s ... %s section", start, end)
	}
	return strings.TrimSpace(doc[i+len(start) : j]), nil
}

// Check fails t when section name of the file at path differs from want.
// With update it rewrites the section instead. howToUpdate is the command
// that regenerates it, for the failure message.
func Check(t testing.TB, path, name, want string, update bool, howToUpdate string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	got, err := Section(doc, name)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got == strings.TrimSpace(want) {
		return
	}
	if update {
		doc, err = Replace(doc, name, want)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated section %s of %s", name, path)
		return
	}
	t.Fatalf("section %s of %s is stale: %s\nregenerate: %s", name, path, FirstDiff(got, strings.TrimSpace(want)), howToUpdate)
}

// CheckFile fails t when the file at path differs from want; with update it
// writes want there instead (creating directories as needed).
func CheckFile(t testing.TB, path, want string, update bool, howToUpdate string) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate: %s)", err, howToUpdate)
	}
	if d := FirstDiff(string(got), want); d != "" {
		t.Fatalf("%s is stale: %s\nregenerate: %s", path, d, howToUpdate)
	}
}

// FirstDiff describes the first line where got (the file checked in) and
// want (what is generated now) differ, or returns "" when they are equal.
func FirstDiff(got, want string) string { return LineDiff(got, want, "checked in:", "generated: ") }

// LineDiff describes the first line where a and b differ, each line
// labelled with its side's name, or returns "" when they are equal.
func LineDiff(a, b, aName, bName string) string {
	if a == b {
		return ""
	}
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for k := 0; k < max(len(al), len(bl)); k++ {
		var x, y string
		if k < len(al) {
			x = al[k]
		}
		if k < len(bl) {
			y = bl[k]
		}
		if x != y {
			return fmt.Sprintf("first difference at line %d\n  %s %q\n  %s %q", k+1, aName, x, bName, y)
		}
	}
	return "the files differ in line endings"
}
