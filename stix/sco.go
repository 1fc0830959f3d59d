package stix

import "strings"

// The 18 STIX Cyber-observable Objects (STIX 2.1 §6) and their predefined
// extensions.
func scoSpecs() map[string]*spec {
	anySCO := identNot(append(append([]string{}, sdoTypes...), notRelatable...)...)
	addrRefs := identList("mac-addr")
	asRefs := identList("autonomous-system")

	return map[string]*spec{
		"artifact": {class: classSCO, rule: artifactRule, props: map[string]check{
			"mime_type": artifactMIME, "payload_bin": binString, "url": uri, "hashes": hashes,
			"encryption_algorithm": enum("AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"),
			"decryption_key":       str,
		}},
		"autonomous-system": {class: classSCO, req: []string{"number"}, props: map[string]check{
			"number": intRange(0, 4294967295), "name": str, "rir": str,
		}},
		"directory": {class: classSCO, req: []string{"path"}, props: map[string]check{
			"path": str, "path_enc": charsetName, "ctime": timestamp, "mtime": timestamp, "atime": timestamp,
			"contains_refs": identList("file", "directory"),
		}},
		"domain-name": {class: classSCO, req: []string{"value"}, props: map[string]check{
			"value":            hostname,
			"resolves_to_refs": identList("ipv4-addr", "ipv6-addr", "domain-name"),
		}},
		"email-addr": {class: classSCO, req: []string{"value"}, props: map[string]check{
			"value": emailAddress, "display_name": str, "belongs_to_ref": ident("user-account"),
		}},
		"email-message": {class: classSCO, req: []string{"is_multipart"}, rule: emailRule, props: map[string]check{
			"is_multipart": boolean, "date": timestamp, "content_type": str,
			"from_ref": ident("email-addr"), "sender_ref": ident("email-addr"),
			"to_refs": identList("email-addr"), "cc_refs": identList("email-addr"), "bcc_refs": identList("email-addr"),
			"message_id": str, "subject": str, "received_lines": strList,
			"additional_header_fields": dict(strOrStrList), "body": str,
			"body_multipart": list(func(c *ctx, p string, v *node) { checkStruct(c, p, v, mimePartSpec) }),
			"raw_email_ref":  ident("artifact"),
		}},
		"file": {class: classSCO, atLeast: []string{"hashes", "name"}, props: map[string]check{
			"hashes": hashes, "size": intMin(0), "name": str, "name_enc": charsetName,
			"magic_number_hex": hexString, "mime_type": str,
			"ctime": timestamp, "mtime": timestamp, "atime": timestamp,
			"parent_directory_ref": ident("directory"), "contains_refs": list(anySCO),
			"content_ref": ident("artifact"),
		}, exts: map[string]*spec{
			"ntfs-ext": {atLeast: []string{"sid", "alternate_data_streams"}, props: map[string]check{
				"sid": str,
				"alternate_data_streams": list(func(c *ctx, p string, v *node) {
					checkStruct(c, p, v, &spec{req: []string{"name"}, props: map[string]check{
						"name": str, "hashes": hashes, "size": intMin(0),
					}})
				}),
			}},
			"raster-image-ext": {atLeast: []string{"image_height", "image_width", "bits_per_pixel", "exif_tags"}, props: map[string]check{
				"image_height": anyInt, "image_width": anyInt, "bits_per_pixel": anyInt,
				"exif_tags": dict(strOrInt),
			}},
			"pdf-ext": {atLeast: []string{"version", "is_optimized", "document_info_dict", "pdfid0", "pdfid1"}, props: map[string]check{
				"version": str, "is_optimized": boolean, "document_info_dict": dict(str), "pdfid0": str, "pdfid1": str,
			}},
			"archive-ext": {req: []string{"contains_refs"}, props: map[string]check{
				"contains_refs": identList("file", "directory"), "comment": str,
			}},
			"windows-pebinary-ext": {req: []string{"pe_type"}, props: map[string]check{
				"pe_type": str, "imphash": str, "machine_hex": hexString, "number_of_sections": intMin(0),
				"time_date_stamp": timestamp, "pointer_to_symbol_table_hex": hexString,
				"number_of_symbols": intMin(0), "size_of_optional_header": intMin(0),
				"characteristics_hex": hexString, "file_header_hashes": hashes,
				"optional_header": func(c *ctx, p string, v *node) {
					if checkStruct(c, p, v, peOptionalHeader) && len(v.kids) == 0 {
						c.fail(p, "must not be empty")
					}
				},
				"sections": list(func(c *ctx, p string, v *node) {
					checkStruct(c, p, v, &spec{req: []string{"name"}, props: map[string]check{
						"name": str, "size": intMin(0), "entropy": number, "hashes": hashes,
					}})
				}),
			}},
		}},
		"ipv4-addr": {class: classSCO, req: []string{"value"}, props: map[string]check{
			"value":            addrValue(validIPv4, "an IPv4 address or CIDR block like 198.51.100.0/24"),
			"resolves_to_refs": addrRefs, "belongs_to_refs": asRefs,
		}},
		"ipv6-addr": {class: classSCO, req: []string{"value"}, props: map[string]check{
			"value":            addrValue(validIPv6, "an IPv6 address or CIDR block like 2001:db8::/32"),
			"resolves_to_refs": addrRefs, "belongs_to_refs": asRefs,
		}},
		"mac-addr": {class: classSCO, req: []string{"value"}, props: map[string]check{
			"value": addrValue(validMAC, "a colon-separated lower-case MAC-48 address like d2:fb:49:24:37:18"),
		}},
		"mutex": {class: classSCO, req: []string{"name"}, props: map[string]check{"name": str}},
		"network-traffic": {class: classSCO, req: []string{"protocols"}, atLeast: []string{"src_ref", "dst_ref"}, rule: trafficRule, props: map[string]check{
			"start": timestamp, "end": timestamp, "is_active": boolean,
			"src_ref":  ident("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
			"dst_ref":  ident("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
			"src_port": intRange(0, 65535), "dst_port": intRange(0, 65535), "protocols": strList,
			"src_byte_count": intMin(0), "dst_byte_count": intMin(0), "src_packets": intMin(0), "dst_packets": intMin(0),
			"ipfix": dict(strOrInt), "src_payload_ref": ident("artifact"), "dst_payload_ref": ident("artifact"),
			"encapsulates_refs": identList("network-traffic"), "encapsulated_by_ref": ident("network-traffic"),
		}, exts: map[string]*spec{
			"http-request-ext": {req: []string{"request_method", "request_value"}, props: map[string]check{
				"request_method": str, "request_value": str, "request_version": str,
				"request_header": dict(strList), "message_body_length": intMin(0),
				"message_body_data_ref": ident("artifact"),
			}},
			"icmp-ext": {req: []string{"icmp_type_hex", "icmp_code_hex"}, props: map[string]check{
				"icmp_type_hex": hexString, "icmp_code_hex": hexString,
			}},
			"socket-ext": {req: []string{"address_family"}, props: map[string]check{
				"address_family": enum("AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH"),
				"is_blocking":    boolean, "is_listening": boolean, "options": socketOptions,
				"socket_type":       enum("SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET"),
				"socket_descriptor": intMin(0), "socket_handle": anyInt,
			}},
			"tcp-ext": {atLeast: []string{"src_flags_hex", "dst_flags_hex"}, props: map[string]check{
				"src_flags_hex": hexString, "dst_flags_hex": hexString,
			}},
		}},
		"process": {class: classSCO, atLeast: []string{
			"is_hidden", "pid", "created_time", "cwd", "command_line", "environment_variables",
			"opened_connection_refs", "creator_user_ref", "image_ref", "parent_ref", "child_refs", "extensions",
		}, props: map[string]check{
			"is_hidden": boolean, "pid": anyInt, "created_time": timestamp, "cwd": str, "command_line": str,
			"environment_variables": dict(str), "opened_connection_refs": identList("network-traffic"),
			"creator_user_ref": ident("user-account"), "image_ref": ident("file"),
			"parent_ref": ident("process"), "child_refs": identList("process"),
		}, exts: map[string]*spec{
			"windows-process-ext": {atLeast: []string{"aslr_enabled", "dep_enabled", "priority", "owner_sid", "window_title", "startup_info", "integrity_level"}, props: map[string]check{
				"aslr_enabled": boolean, "dep_enabled": boolean, "priority": str, "owner_sid": str,
				"window_title": str, "startup_info": dict(nil),
				"integrity_level": enum("low", "medium", "high", "system"),
			}},
			"windows-service-ext": {atLeast: []string{"service_name", "descriptions", "display_name", "group_name", "start_type", "service_dll_refs", "service_type", "service_status"}, props: map[string]check{
				"service_name": str, "descriptions": strList, "display_name": str, "group_name": str,
				"start_type":       enum("SERVICE_AUTO_START", "SERVICE_BOOT_START", "SERVICE_DEMAND_START", "SERVICE_DISABLED", "SERVICE_SYSTEM_ALERT"),
				"service_dll_refs": identList("file"),
				"service_type":     enum("SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER", "SERVICE_WIN32_OWN_PROCESS", "SERVICE_WIN32_SHARE_PROCESS"),
				"service_status":   enum("SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED", "SERVICE_RUNNING", "SERVICE_START_PENDING", "SERVICE_STOP_PENDING", "SERVICE_STOPPED"),
			}},
		}},
		"software": {class: classSCO, req: []string{"name"}, props: map[string]check{
			"name": str, "cpe": cpe, "swid": str, "languages": list(langTag), "vendor": str, "version": str,
		}},
		"url": {class: classSCO, req: []string{"value"}, props: map[string]check{"value": uri}},
		"user-account": {class: classSCO, atLeast: []string{
			"user_id", "credential", "account_login", "account_type", "display_name", "is_service_account",
			"is_privileged", "can_escalate_privs", "is_disabled", "account_created", "account_expires",
			"credential_last_changed", "account_first_login", "account_last_login", "extensions",
		}, props: map[string]check{
			"user_id": str, "credential": str, "account_login": str, "account_type": str, "display_name": str,
			"is_service_account": boolean, "is_privileged": boolean, "can_escalate_privs": boolean, "is_disabled": boolean,
			"account_created": timestamp, "account_expires": timestamp, "credential_last_changed": timestamp,
			"account_first_login": timestamp, "account_last_login": timestamp,
		}, exts: map[string]*spec{
			"unix-account-ext": {atLeast: []string{"gid", "groups", "home_dir", "shell"}, props: map[string]check{
				"gid": anyInt, "groups": strList, "home_dir": str, "shell": str,
			}},
		}},
		"windows-registry-key": {class: classSCO, atLeast: []string{"key", "values", "modified_time", "creator_user_ref", "number_of_subkeys"}, props: map[string]check{
			"key": registryKey,
			"values": list(func(c *ctx, p string, v *node) {
				checkStruct(c, p, v, registryValueSpec)
			}),
			"modified_time": timestamp, "creator_user_ref": ident("user-account"), "number_of_subkeys": intMin(0),
		}},
		"x509-certificate": {class: classSCO, atLeast: []string{
			"is_self_signed", "hashes", "version", "serial_number", "signature_algorithm", "issuer",
			"validity_not_before", "validity_not_after", "subject", "subject_public_key_algorithm",
			"subject_public_key_modulus", "subject_public_key_exponent", "x509_v3_extensions",
		}, props: map[string]check{
			"is_self_signed": boolean, "hashes": hashes, "version": str, "serial_number": str,
			"signature_algorithm": str, "issuer": str, "validity_not_before": timestamp,
			"validity_not_after": timestamp, "subject": str, "subject_public_key_algorithm": str,
			"subject_public_key_modulus": str, "subject_public_key_exponent": anyInt,
			"x509_v3_extensions": func(c *ctx, p string, v *node) { checkStruct(c, p, v, x509ExtSpec) },
		}},
	}
}

var mimePartSpec = &spec{
	props: map[string]check{
		"body": str, "body_raw_ref": ident("artifact", "file"), "content_type": str, "content_disposition": str,
	},
	rule: func(c *ctx, p string, o *node) {
		body, raw := o.has("body"), o.has("body_raw_ref")
		switch {
		case body && raw:
			c.fail(sub(p, "body_raw_ref"), "a MIME part has body or body_raw_ref, not both")
		case !body && !raw:
			c.fail(sub(p, "body"), "a MIME part needs body or body_raw_ref")
		}
	},
}

var registryValueSpec = &spec{
	atLeast: []string{"name", "data", "data_type"},
	props: map[string]check{
		"name": str, "data": str,
		"data_type": enum("REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN",
			"REG_DWORD_LITTLE_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTION",
			"REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD", "REG_INVALID_TYPE"),
	},
}

var x509ExtSpec = func() *spec {
	s := &spec{props: map[string]check{}}
	for _, k := range []string{"basic_constraints", "name_constraints", "policy_constraints", "key_usage",
		"extended_key_usage", "subject_key_identifier", "authority_key_identifier", "subject_alternative_name",
		"issuer_alternative_name", "subject_directory_attributes", "crl_distribution_points", "inhibit_any_policy",
		"certificate_policies", "policy_mappings"} {
		s.props[k] = str
		s.atLeast = append(s.atLeast, k)
	}
	for _, k := range []string{"private_key_usage_period_not_before", "private_key_usage_period_not_after"} {
		s.props[k] = timestamp
		s.atLeast = append(s.atLeast, k)
	}
	return s
}()

// peOptionalHeader is closed: the official schema admits no other property.
var peOptionalHeader = func() *spec {
	s := &spec{props: map[string]check{"hashes": hashes}}
	for _, k := range []string{"magic_hex", "win32_version_value_hex", "checksum_hex", "subsystem_hex",
		"dll_characteristics_hex", "loader_flags_hex"} {
		s.props[k] = hexString
	}
	for _, k := range []string{"major_linker_version", "minor_linker_version", "address_of_entry_point",
		"base_of_code", "base_of_data", "image_base", "section_alignment", "file_alignment", "major_os_version",
		"minor_os_version", "major_image_version", "minor_image_version", "major_subsystem_version",
		"minor_subsystem_version", "number_of_rva_and_sizes"} {
		s.props[k] = anyInt
	}
	for _, k := range []string{"size_of_code", "size_of_initialized_data", "size_of_uninitialized_data",
		"size_of_image", "size_of_headers", "size_of_stack_reserve", "size_of_stack_commit",
		"size_of_heap_reserve", "size_of_heap_commit"} {
		s.props[k] = intMin(0)
	}
	s.rule = func(c *ctx, p string, o *node) {
		for i := range o.kids {
			if s.props[o.kids[i].key] == nil {
				c.fail(sub(p, o.kids[i].key), "not a property of the windows PE optional header")
			}
		}
	}
	return s
}()

func artifactRule(c *ctx, p string, o *node) {
	payload, url := o.has("payload_bin"), o.has("url")
	switch {
	case payload && url:
		c.fail(sub(p, "url"), "payload_bin and url are exclusive")
	case !payload && !url:
		c.fail(sub(p, "payload_bin"), "an artifact needs payload_bin or url")
	case url && !o.has("hashes"):
		c.fail(sub(p, "hashes"), "required when url is given")
	}
	if o.has("decryption_key") && !o.has("encryption_algorithm") {
		c.fail(sub(p, "decryption_key"), "only allowed with encryption_algorithm")
	}
}

func emailRule(c *ctx, p string, o *node) {
	mp := o.get("is_multipart")
	if mp == nil || mp.kind != jBool {
		return
	}
	if mp.b && o.has("body") {
		c.fail(sub(p, "body"), "not allowed when is_multipart is true (use body_multipart)")
	}
	if !mp.b && o.has("body_multipart") {
		c.fail(sub(p, "body_multipart"), "not allowed when is_multipart is false (use body)")
	}
}

func trafficRule(c *ctx, p string, o *node) {
	notBefore(c, p, o, "start", "end")
	if a := o.get("is_active"); a != nil && a.kind == jBool && a.b && o.has("end") {
		c.fail(sub(p, "end"), "not allowed when is_active is true")
	}
}

// artifactMIME: a media type of a registered top-level type, as the
// official schema requires.
func artifactMIME(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
		return
	}
	top, subtype, found := strings.Cut(v.s, "/")
	okTop := contains([]string{"application", "audio", "font", "image", "message", "model", "multipart", "text", "video"}, top)
	if !found || !okTop || subtype == "" || !isMIMEChar(subtype[0]) {
		c.failf(p, "%q is not a media type like application/zip", clip(v.s))
	}
}

func isMIMEChar(b byte) bool { return isAlnum(b) || strings.IndexByte(".+_-", b) >= 0 }

// charsetName: an IANA character set name (path_enc, name_enc).
func charsetName(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
	} else if len(v.s) < 2 || len(v.s) > 250 || !allBytes(v.s, func(b byte) bool { return isAlnum(b) || strings.IndexByte("/.+_:-", b) >= 0 }) {
		c.failf(p, "%q is not a character set name like windows-1252", clip(v.s))
	}
}

func hostname(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
	} else if !validHostname(v.s) {
		c.failf(p, "%q is not a domain name (RFC 1034)", clip(v.s))
	}
}

func emailAddress(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
	} else if !validEmail(v.s) {
		c.failf(p, "%q is not an email address (addr-spec, without display name)", clip(v.s))
	}
}

func addrValue(valid func(string) bool, want string) check {
	return func(c *ctx, p string, v *node) {
		if v.kind != jString {
			c.typeErr(p, "a string", v)
		} else if !valid(v.s) {
			c.failf(p, "%q is not %s", clip(v.s), want)
		}
	}
}

func validMAC(s string) bool {
	if len(s) != 17 {
		return false
	}
	for i := 0; i < 17; i++ {
		if i%3 == 2 {
			if s[i] != ':' {
				return false
			}
		} else if !isDigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

func strOrInt(c *ctx, p string, v *node) {
	if v.kind != jString && !(v.kind == jNumber && v.isInt()) {
		c.typeErr(p, "a string or an integer", v)
	}
}

// socketOptions: keys SO_…, ICMP_…, ICMP6_…, IP_…, IPV6_…, MCAST_…, TCP_…
// or IRLMP_… in upper case, integer values (STIX 2.1 §6.12.4).
func socketOptions(c *ctx, p string, v *node) {
	dict(anyInt)(c, p, v)
	if v.kind != jObject {
		return
	}
	for i := range v.kids {
		k := v.kids[i].key
		prefix, rest, found := strings.Cut(k, "_")
		okPrefix := contains([]string{"SO", "ICMP", "ICMP6", "IP", "IPV6", "MCAST", "TCP", "IRLMP"}, prefix)
		okRest := found && rest != "" && rest[0] != '_' && rest[len(rest)-1] != '_' && !strings.Contains(rest, "__") &&
			allBytes(rest, func(b byte) bool { return b >= 'A' && b <= 'Z' || b == '_' })
		if !okPrefix || !okRest {
			c.failf(sub(p, k), "%q is not a socket option name like SO_REUSEADDR", clip(k))
		}
	}
}

// registryKey: the hive must be written out in full (STIX 2.1 §6.16),
// HKEY_LOCAL_MACHINE and not HKLM.
func registryKey(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
		return
	}
	hive, _, _ := strings.Cut(v.s, `\`)
	switch strings.ToUpper(hive) {
	case "HKLM", "HKCC", "HKCR", "HKCU", "HKU":
		c.failf(p, "the hive %q must be written in full (HKEY_…)", hive)
	}
}

// cpe: a CPE 2.3 formatted string, cpe:2.3: and 11 more components.
func cpe(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
		return
	}
	n := 0
	for i := 0; i < len(v.s); i++ {
		switch v.s[i] {
		case '\\':
			i++
		case ':':
			n++
		}
	}
	if !strings.HasPrefix(v.s, "cpe:2.3:") || n != 12 || len(v.s) < 10 || strings.IndexByte("aho*-", v.s[8]) < 0 {
		c.failf(p, "%q is not a CPE 2.3 name like cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*", clip(v.s))
	}
}
