# mk/deb.mk - make deb: the Debian package, built by Debian's own tools
# (dpkg-buildpackage, debhelper; debian/), then checked by lintian. The
# package lands in build/deb/ (mssp-portal_VERSION_ARCH.deb) with lintian's
# report beside it (lintian.txt); an error fails the build.
#
#   make deb            needs debhelper, dpkg-dev, lintian (scripts/deps deb)
#   make package-test   the package installed in a fresh Debian 12 root
#                       (tests/package/run; slow, not part of make test)

VERSION := $(shell cat VERSION)

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

package-test: deb
	tests/package/run build/deb/mssp-portal_$(VERSION)_*.deb
