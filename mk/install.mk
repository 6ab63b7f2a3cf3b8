# mk/install.mk - make install (issue #24; docs/operations.md, "Installing
# on Debian"): the release binaries, templates, SQL and static files, the
# example settings, the systemd units and the nginx example, under PREFIX
# (/usr/local) and DESTDIR (a staging root, as the Debian package uses).
# Nothing installed names the source tree.
#
#   make install    PREFIX, DESTDIR, SYSCONFDIR (/etc/mssp-portal),
#                   STATEDIR (/var/lib/mssp-portal), UNITDIR
#   make uninstall  the same variables; settings and state stay

PREFIX     ?= /usr/local
DESTDIR    ?=
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/lib/mssp-portal
DATADIR    ?= $(PREFIX)/share/mssp-portal
DOCDIR     ?= $(PREFIX)/share/doc/mssp-portal
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc/mssp-portal
STATEDIR   ?= /var/lib/mssp-portal
# systemd reads /lib/systemd/system (the distribution's units) and
# /usr/local/lib/systemd/system (the administrator's own installs).
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
INSTALL    ?= install

SERVICE_UNITS := mssp-portal mssp-portal-mailer mssp-portal-reporter mssp-portal-backup
SOCKET_UNITS  := mssp-portal-fcgi.socket mssp-portal-backup.timer
DOCS  := $(wildcard docs/*.md) README.md
# @NAME@ in the dist/ templates; @HARDENING@ is dist/systemd/hardening.conf
SUBST  = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
             -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
             -e 's|@STATEDIR@|$(STATEDIR)|g'

.PHONY: install uninstall

install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR) \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)/nginx
	$(INSTALL) -m 0755 build/bin/portal $(DESTDIR)$(SBINDIR)/mssp-portal
	$(INSTALL) -m 0755 build/bin/mailer $(DESTDIR)$(SBINDIR)/mssp-portal-mailer
	$(INSTALL) -m 0755 build/bin/reporter $(DESTDIR)$(SBINDIR)/mssp-portal-reporter
	$(INSTALL) -m 0755 build/bin/ctl $(DESTDIR)$(LIBEXECDIR)/ctl
	$(SUBST) dist/mssp-portal-ctl.in >$(DESTDIR)$(BINDIR)/mssp-portal-ctl
	chmod 0755 $(DESTDIR)$(BINDIR)/mssp-portal-ctl
	rm -rf $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/sql
	cp -R templates sql $(DESTDIR)$(DATADIR)/
	@# www: copied over what is there (an upgrade keeps the hashed twins
	@# of the last release: pages rendered before it still find them)
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/www/docs
	cp -R www/. $(DESTDIR)$(DATADIR)/www/
	$(INSTALL) -m 0644 docs/api.md $(DESTDIR)$(DATADIR)/www/docs/api.md
	scripts/assets $(DESTDIR)$(DATADIR)/www
	find $(DESTDIR)$(DATADIR) -type d -exec chmod 0755 {} + && find $(DESTDIR)$(DATADIR) -type f -exec chmod 0644 {} +
	sed -e 's|/opt/mssp-portal/www|$(DATADIR)/www|g' nginx/production.conf >$(DESTDIR)$(DATADIR)/nginx/mssp-portal.conf
	$(SUBST) dist/portal.env.in >$(DESTDIR)$(DATADIR)/portal.env.example
	@# the settings: an example the first time, never over the operator's
	test -e $(DESTDIR)$(SYSCONFDIR)/portal.env || \
	    $(INSTALL) -m 0640 $(DESTDIR)$(DATADIR)/portal.env.example $(DESTDIR)$(SYSCONFDIR)/portal.env
	for u in $(SERVICE_UNITS); do \
	    awk 'FNR == NR { h = h $$0 "\n"; next } $$0 == "@HARDENING@" { printf "%s", h; next } { print }' \
	        dist/systemd/hardening.conf dist/systemd/$$u.service.in | $(SUBST) >$(DESTDIR)$(UNITDIR)/$$u.service; \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.service; \
	done
	for u in $(SOCKET_UNITS); do \
	    $(SUBST) dist/systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u; done
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0644 dist/man/mssp-portal-ctl.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 dist/man/mssp-portal.8 dist/man/mssp-portal-mailer.8 dist/man/mssp-portal-reporter.8 \
	    $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mssp-portal $(DESTDIR)$(SBINDIR)/mssp-portal-mailer \
	    $(DESTDIR)$(SBINDIR)/mssp-portal-reporter $(DESTDIR)$(BINDIR)/mssp-portal-ctl
	rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/mssp-portal-ctl.1 $(DESTDIR)$(MANDIR)/man8/mssp-portal.8 \
	    $(DESTDIR)$(MANDIR)/man8/mssp-portal-mailer.8 $(DESTDIR)$(MANDIR)/man8/mssp-portal-reporter.8
	for u in $(SERVICE_UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u.service; done
	for u in $(SOCKET_UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
