# The tests parse the SVG (as XML) and the HTML back with libxml2.
set(extra_deps LibXml2::LibXml2)
