#!/usr/bin/python3
# web_mojifinder.py: the book's web_mojifinder (Fluent Python 2nd ed., chapter 21),
# the FastAPI + uvicorn peer of `fetchboard-cli serve`'s GET /search.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# As in the book: charindex's InvertedIndex over every named character from
# 32 up, GET /search?q= answers [{"char", "name"}] sorted (response_model
# list[CharName]). Names come from Python's unicodedata, whose Unicode version
# may differ from Debian's UnicodeData.txt; bench/finder.sh compares the bytes
# of the benchmarked query.
#
#   /usr/bin/python3 -m uvicorn web_mojifinder:app --app-dir bench/helpers \
#       --host 127.0.0.1 --port 8003 --log-level warning --no-access-log

import sys
import unicodedata
from collections import defaultdict
from unicodedata import name

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

STOP_CODE = sys.maxunicode + 1


def tokenize(text):
    """return iterator of uppercased words"""
    for word in text.upper().replace('-', ' ').split():
        yield word


class InvertedIndex:
    def __init__(self, start=32, stop=STOP_CODE):
        entries = defaultdict(set)
        for char in (chr(i) for i in range(start, stop)):
            char_name = unicodedata.name(char, '')
            if char_name:
                for word in tokenize(char_name):
                    entries[word].add(char)
        self.entries = entries

    def search(self, query):
        if words := list(tokenize(query)):
            found = self.entries[words[0]]
            return found.intersection(*(self.entries[w] for w in words[1:]))
        return set()


app = FastAPI(
    title='Mojifinder Web',
    description='Search for Unicode characters by name.',
)


class CharName(BaseModel):
    char: str
    name: str


app.state.index = InvertedIndex()
FORM = ('<!DOCTYPE html><title>Mojifinder</title>'
        '<form action="/search"><input name="q"></form>')


@app.get('/search', response_model=list[CharName])
async def search(q: str):
    chars = sorted(app.state.index.search(q))
    return ({'char': c, 'name': name(c)} for c in chars)


@app.get('/', response_class=HTMLResponse, include_in_schema=False)
def form():
    return FORM
