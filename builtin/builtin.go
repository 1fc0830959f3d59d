// Package builtin is the record bloc ships with: the seven blocs of the
// sourced membership data, every ISO 3166-1 party (and the historical codes
// the record needs), and the sourced events, in the binary.
//
// The data files, embedded as they are:
//
//   - blocs.csv: bloc,name,founded,place,instrument — a bloc's first name;
//     later names come from its renamed events.
//   - parties.csv: code,name,aliases — every current ISO 3166-1 alpha-3 code
//     with its English short name, plus SUN, DDR, CSK and YUG; aliases are
//     separated by ';' and include the names the sources use.
//   - record.csv: the record in the import format of package recordfile.
//     Its rows carry the compiled membership histories, each with all of its
//     sources (one attestation per source), followed by the facts stated in a
//     TASS article of 22 October 2021, each an attestation (column attests) of
//     the event the compiled row records. The article and the compiled data
//     disagree on the 1999 lapse (2 April against 20 April), and the record
//     keeps both.
package builtin

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/recordfile"
)

//go:embed blocs.csv parties.csv record.csv
var files embed.FS

// Blocs returns the built-in blocs in file order.
func Blocs() ([]bloc.Bloc, error) {
	var out []bloc.Bloc
	err := readTable("blocs.csv", []string{"bloc", "name", "founded", "place", "instrument"}, func(line int, f []string) error {
		founded, err := bloc.ParseDate(f[2])
		if err != nil {
			return err
		}
		if f[0] == "" || f[1] == "" {
			return fmt.Errorf("bloc and name must not be empty")
		}
		out = append(out, bloc.Bloc{Slug: f[0], Name: f[1], Founded: founded, Place: f[3], Instrument: f[4]})
		return nil
	})
	return out, err
}

// Parties returns the built-in parties, ordered by code.
func Parties() ([]bloc.Party, error) {
	var out []bloc.Party
	err := readTable("parties.csv", []string{"code", "name", "aliases"}, func(line int, f []string) error {
		if len(f[0]) != 3 || strings.ToUpper(f[0]) != f[0] || f[1] == "" {
			return fmt.Errorf("code %q / name %q: a three-letter capital code and a name", f[0], f[1])
		}
		p := bloc.Party{Code: f[0], Name: f[1]}
		if f[2] != "" {
			p.Aliases = strings.Split(f[2], ";")
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// Rows returns the built-in record as rows ready to append in one batch
// (batch-relative event and supersedes references; see recordfile).
func Rows() ([]recordfile.Row, error) {
	f, err := files.Open("record.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := recordfile.ReadCSV(f)
	if err != nil {
		return nil, fmt.Errorf("built-in record.csv: %w", err)
	}
	return rows, nil
}

// readTable reads one of the small embedded tables, checking its header,
// and calls each with every row. A broken built-in file is a bug of the
// build, so the error says which file and line.
func readTable(name string, header []string, each func(line int, fields []string) error) error {
	f, err := files.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	got, err := r.Read()
	if err != nil {
		return fmt.Errorf("built-in %s: header: %w", name, err)
	}
	if strings.Join(got, ",") != strings.Join(header, ",") {
		return fmt.Errorf("built-in %s: header %q, want %q", name, strings.Join(got, ","), strings.Join(header, ","))
	}
	for {
		fields, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("built-in %s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		if err := each(line, fields); err != nil {
			return fmt.Errorf("built-in %s line %d: %w", name, line, err)
		}
	}
}
