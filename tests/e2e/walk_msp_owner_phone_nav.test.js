#!/usr/bin/env node
/* walk_msp_owner_phone_nav.test.js - owner@msp1.example walks the console by clicking only, at 390 x 844 (every section of the navigation, from its Menu, and what it leads to; walk_lib.js).
 * Prints TAP lines. Env: PORT, BF_ID. */
'use strict';
const { PHONE, walkFile } = require('./walk_lib');

walkFile('owner@msp1.example', PHONE, `/t/${process.env.BF_ID}`, ['nav']);
