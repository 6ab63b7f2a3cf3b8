# mk/deb.mk - make deb: the Debian package, built by Debian's own tools
# (dpkg-buildpackage, debhelper; debian/), then checked by lintian. The
# package lands in build/deb/ (mssp-portal_VERSION_ARCH.deb) with lintian's
# report beside it (lintian.txt); an error fails the build.
#
#   make deb            needs debhelper, dpkg-dev, lintian (scripts/deps deb)
#   make package-test   the package installed in a fresh Debian 12 root
#                       (tests/package/run), then that root booted with
#                       systemd (tests/package/boot: systemd-nspawn from
#                       systemd-container); root; slow, not part of make test

.PHONY: deb package-test

deb:
	@scripts/deps deb
	@test "$$(dpkg-parsechangelog -S Version)" = "$(VERSION)" || \
	    { echo "deb: debian/changelog's version is not VERSION ($(VERSION))"; exit 1; }
	rm -rf build/deb && mkdir -p build/deb
	git ls-files -z | tar --null -T - -cf - | (mkdir -p build/deb/src && cd build/deb/src && tar xf -)
	cd build/deb/src && dpkg-buildpackage -b -us -uc
	lintian --fail-on error build/deb/mssp-portal_$(VERSION)_*.deb >build/deb/lintian.txt; s=$$?; cat build/deb/lintian.txt; exit $$s
	@echo "deb: $$(ls build/deb/mssp-portal_$(VERSION)_*.deb)"

# The "next" package: the same tree as VERSION+next1 with one migration
# more (sql/900_package_upgrade_probe.sql, only in that build), so the
# upgrade the test makes under load also migrates.
NEXT_VERSION = $(VERSION)+next1
package-test: deb
	rm -rf build/package && mkdir -p build/package/src
	git ls-files -z | tar --null -T - -cf - | (cd build/package/src && tar xf -)
	cd build/package/src && echo "$(NEXT_VERSION)" >VERSION && \
	    printf -- '-- the package test\x27s upgrade: a migration the next package brings\nCREATE TABLE package_upgrade_probe (id int);\n' \
	        >sql/900_package_upgrade_probe.sql && \
	    { printf 'mssp-portal (%s) bookworm; urgency=medium\n\n  * The package test\x27s upgrade.\n\n -- %s  %s\n\n' \
	        "$(NEXT_VERSION)" "$$(dpkg-parsechangelog -S Maintainer)" "$$(date -R)"; cat debian/changelog; } >debian/changelog.new && \
	    mv debian/changelog.new debian/changelog && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
	    { tail -20 build/package/build.log; exit 1; }
	tests/package/run build/deb/mssp-portal_$(VERSION)_amd64.deb build/package/mssp-portal_$(NEXT_VERSION)_amd64.deb
	tests/package/boot /var/tmp/package-root build/package/mssp-portal_$(NEXT_VERSION)_amd64.deb
