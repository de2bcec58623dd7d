# The two commands: `make demo` and `make test`. Each does its own set-up, idempotently:
# system packages (apt, only those missing), then .venv with the project and its test extras
# (re-installed only when setup.py changes).
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := .stamps

# System packages: OCR engine and models, PDF tools, the generator's fonts (checked for Vietnamese
# coverage at start-up), LibreOffice to re-read exports, Chromium for the review app's browser tests,
# libzbar0 for pyzbar (the QR reader the benchmark compares zxing-cpp with);
# for the independent rendered set (synth/rendered): LibreOffice Writer, hunspell-vi's word list, and
# fonts synth/ never uses (each checked for the 134 Vietnamese letters; OCR-B for the MRZ); PostgreSQL's
# binaries, whose server the tests start themselves in a temporary folder (bench/pgserver.py).
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-vie tesseract-ocr-script-viet tesseract-ocr-osd \
	poppler-utils fonts-noto-core fonts-dejavu-core fonts-dejavu-extra fonts-freefont-ttf \
	fonts-roboto fonts-open-sans fonts-texgyre fonts-dancingscript fonts-comic-neue fonts-kristi \
	libreoffice-calc-nogui chromium python3-venv libzbar0 \
	libreoffice-writer-nogui hunspell-vi fonts-liberation2 fonts-crosextra-carlito fonts-linuxlibertine \
	fonts-sil-gentiumplus fonts-sil-charis fonts-sil-andika fonts-lato fonts-inter fonts-cantarell \
	fonts-ebgaramond fonts-noto-mono fonts-ocr-b postgresql

.PHONY: demo test setup system-packages venv lint bench clean

demo: setup
	$(VENV)/bin/sohoa demo --workspace demo-workspace

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -n 2 -q --timeout=900 tests

setup: system-packages venv

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Cài gói hệ thống (installing system packages):$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "Gói hệ thống đã đủ (system packages present)"; fi

venv: $(STAMP)/venv

$(STAMP)/venv: setup.py
	@mkdir -p $(STAMP)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	# the list of places before the 2025 merger (63 provinces, districts, GSO codes) is release 0.6 of a
	# package whose 2025 release is installed above: it goes beside the venv as data (extract/places.py)
	$(PY) -m pip install -q --no-deps --upgrade --target $(VENV)/vendor/vietnam-provinces-0.6 'vietnam-provinces>=0.6,<0.7'
	@touch $@

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(VENV)/bin/sohoa bench all

clean:
	rm -rf $(STAMP) demo-workspace bench-out .pytest_cache
