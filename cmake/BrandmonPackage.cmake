# The Debian package, built by CPack from the install rules:
#   cmake --preset deb && cmake --build --preset deb --target package
# gives build-deb/brandmon_<release>-<revision>_<arch>.deb (CMakePresets.json:
# prefix /usr, units in /lib/systemd/system, programs only).
#
# CPack rather than a debian/ folder with debhelper: the layout (programs,
# units, data, configs, man pages, completions) is already the project's
# install rules, so one description serves `cmake --install` and the package,
# and the package builds from the tree with the tools the build already has
# (dpkg-shlibdeps computes the dependencies). What debhelper would add, the
# maintainer scripts in packaging/deb/ do by hand: the service user and the
# units through deb-systemd-helper and deb-systemd-invoke.

set(BRANDMON_PACKAGE_REVISION "1" CACHE STRING "Debian revision of the package (the part after the release)")
set(BRANDMON_PACKAGE_MAINTAINER "brandmon maintainers <maintainers@brandmon.example>"
    CACHE STRING "Maintainer field of the package")

# /usr/share/doc/brandmon: copyright (generated from .reuse/dep5 and
# LICENSES/) and changelog.Debian.gz (one entry, for this build).
set(copyright ${PROJECT_BINARY_DIR}/package/copyright)
add_custom_command(
  OUTPUT ${copyright}
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${copyright}
          -P ${PROJECT_SOURCE_DIR}/cmake/BrandmonCopyright.cmake
  DEPENDS ${PROJECT_SOURCE_DIR}/.reuse/dep5 ${PROJECT_SOURCE_DIR}/cmake/BrandmonCopyright.cmake
          ${PROJECT_SOURCE_DIR}/LICENSES/MIT.txt ${PROJECT_SOURCE_DIR}/LICENSES/CC-BY-SA-3.0.txt
          ${PROJECT_SOURCE_DIR}/LICENSES/CC-BY-SA-4.0.txt
  VERBATIM)
brandmon_describe_version(${PROJECT_SOURCE_DIR} ${PROJECT_VERSION} described)
# SOURCE_DATE_EPOCH, when set, makes the date (and so the package) reproducible.
string(TIMESTAMP changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/package/changelog.Debian CONTENT
"brandmon (${PROJECT_VERSION}-${BRANDMON_PACKAGE_REVISION}) stable; urgency=medium

  * brandmon ${described}, packaged by the project's CMake (CPack).

 -- ${BRANDMON_PACKAGE_MAINTAINER}  ${changelog_date}
")
set(changelog ${PROJECT_BINARY_DIR}/package/changelog.Debian.gz)
add_custom_command(
  OUTPUT ${changelog}
  COMMAND sh -c "gzip -9n -c \"$0\" > \"$1\"" ${PROJECT_BINARY_DIR}/package/changelog.Debian ${changelog}
  DEPENDS ${PROJECT_BINARY_DIR}/package/changelog.Debian
  VERBATIM)
add_custom_target(brandmon_package_docs ALL DEPENDS ${copyright} ${changelog})
install(FILES ${copyright} ${changelog} DESTINATION ${CMAKE_INSTALL_DOCDIR})
# What lintian reports that does not apply to a package built by the project.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/deb/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME brandmon)

# The configs dpkg keeps when an administrator edited them.
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/package/conffiles CONTENT
"${BRANDMON_SYSCONF_DIR}/brandmon.json
${BRANDMON_SYSCONF_DIR}/notify.json
")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME brandmon)
set(CPACK_PACKAGE_VENDOR brandmon)
set(CPACK_PACKAGE_CONTACT "${BRANDMON_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "brand-reputation monitoring daemon")
# The extended description; CPack indents each line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "brandmond polls channel feeds (RSS, Atom, JSON APIs, exec and file sources),
finds the mentions of the brands in its configuration, scores their
sentiment in 13 languages, and raises alerts (negative mentions, questions
that need a reply, volume and sentiment spikes), which it publishes over
ZeroMQ. brandmon-notify delivers them to webhooks, Slack, Teams, e-mail and
Alertmanager; brandmonctl checks feeds, scores text, tests brand queries and
talks to the running daemon.")
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE ${BRANDMON_PACKAGE_REVISION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser for the service user, init-system-helpers for deb-systemd-helper.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/postinst ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm ${PROJECT_BINARY_DIR}/package/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
# Install into the staging tree through DESTDIR, so that the absolute
# destinations (/etc/brandmon, the unit directory) land in the package.
set(CPACK_SET_DESTDIR ON)
include(CPack)
