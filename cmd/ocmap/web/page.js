// The interactive page of 'ocmap serve'. It draws the district polygons
// with Leaflet (no tiles), fills them from /api/view.json, and builds every
// element with the DOM (no innerHTML, no eval), as the page's
// Content-Security-Policy requires.
(function () {
  'use strict';

  // Okabe-Ito colours, told apart by colour-blind readers, one per
  // category of the district panel's chart.
  var CATEGORY_COLOURS = ['#e69f00', '#0072b2', '#009e73', '#cc79a7', '#d55e00', '#56b4e9'];
  var OUTSIDE = '#f7f7f7'; // districts outside the view (province filter)

  var $ = function (id) { return document.getElementById(id); };
  var meta = null, base = null;
  var views = {A: null, B: null};   // the last /api/view.json of each map
  var maps = {}, layers = {};       // Leaflet maps and their GeoJSON layers
  var selected = null;              // district code of the panel
  var sortKey = 'rank', sortDir = 1;
  var syncing = false;
  // periodSet: the months were chosen (slider or URL); until then a view
  // covers the months with data of its scope, as 'ocmap heatmap' does.
  var periodSet = false;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svgEl(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function fmt(v, dec) {
    if (v === null || v === undefined || (typeof v === 'number' && isNaN(v))) return '–';
    return Number(v).toLocaleString('en-US', {minimumFractionDigits: dec, maximumFractionDigits: dec});
  }
  function pct(n, total) { return total > 0 ? (100 * n / total).toFixed(0) + '%' : '–'; }
  function showError(msg) {
    var e = $('error');
    e.textContent = msg || '';
    e.hidden = !msg;
  }
  function getJSON(url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(t.trim() || r.statusText); });
      return r.json();
    });
  }

  // params is the query of map A ('A') or of the second map ('B').
  function params(which) {
    var p = new URLSearchParams();
    var cmp = $('compare').value;
    var cat = $('category').value, from = +$('from').value, to = +$('to').value;
    if (which === 'B' && cmp === 'category') cat = $('category2').value;
    if (which === 'B' && cmp === 'period') { from = +$('from2').value; to = +$('to2').value; }
    p.set('category', cat);
    p.set('metric', $('metric').value);
    if (meta.months.length && (periodSet || (which === 'B' && cmp === 'period'))) {
      p.set('from', meta.months[Math.min(from, to)]);
      p.set('to', meta.months[Math.max(from, to)]);
    }
    if ($('province').value) p.set('province', $('province').value);
    p.set('precision', $('precision').value);
    // The subcategory and measure are map A's category's; map B of
    // another category counts all of its incidents.
    if (!(which === 'B' && cmp === 'category')) {
      if ($('subcategory').value) p.set('subcategory', $('subcategory').value);
      if ($('measure').value !== 'count') p.set('measure', $('measure').value);
    }
    if (+$('near_border').value > 0) p.set('near_border', $('near_border').value);
    return p;
  }

  // fillSubcategories offers the codes of the chosen category with their
  // incidents (none for all four categories: a code implies its
  // category), keeping the chosen code while it is one of them.
  function fillSubcategories(value) {
    var codes = meta.subcategories[$('category').value] || [];
    var items = [{value: '', text: codes.length ? 'all' : 'all (choose a category)'}];
    codes.forEach(function (c) {
      items.push({value: c.code, text: c.code.replace(/_/g, ' ') + (c.field ? ' (' + c.field + ')' : '') + ': ' + fmt(c.incidents, 0)});
    });
    var keep = codes.some(function (c) { return c.code === value; }) ? value : '';
    fillSelect($('subcategory'), items, keep);
    $('subcategory').disabled = !codes.length;
  }

  // fillMeasures offers the measures the chosen category has: kg for
  // drugs, PKR for terror financing and cybercrime, victims for
  // trafficking, and all of them for all four categories.
  function fillMeasures(value) {
    var cat = $('category').value;
    var items = meta.measures.filter(function (m) {
      return !m.category || cat === 'all' || cat === m.category || (m.name === 'amount_pkr' && cat === 'cybercrime');
    }).map(function (m) { return {value: m.name, text: m.name === 'count' ? 'incidents' : m.doc}; });
    var keep = items.some(function (m) { return m.value === value; }) ? value : 'count';
    fillSelect($('measure'), items, keep);
  }

  function fillSelect(sel, items, value) {
    clear(sel);
    items.forEach(function (it) {
      var o = el('option', {value: it.value}, it.text);
      if (String(it.value) === String(value)) o.selected = true;
      sel.appendChild(o);
    });
  }

  function setupControls() {
    var q = new URLSearchParams(location.search);
    $('db').textContent = meta.db;
    var cats = meta.categories.map(function (c) { return {value: c, text: c === 'all' ? 'all four categories' : c.replace(/_/g, ' ')}; });
    fillSelect($('category'), cats, q.get('category') || 'all');
    fillSelect($('category2'), cats, q.get('category2') || meta.categories[1] || 'all');
    fillSelect($('metric'), meta.metrics.map(function (m) { return {value: m.name, text: m.name + ': ' + m.doc}; }), q.get('metric') || 'count');
    meta.provinces.forEach(function (p) { $('province').appendChild(el('option', {value: p}, p)); });
    $('province').value = q.get('province') || '';
    fillSubcategories(q.get('subcategory') || '');
    fillMeasures(q.get('measure') || 'count');
    $('near_border').value = q.get('near_border') || '';
    fillSelect($('precision'), meta.precisions.map(function (p) { return {value: p.value, text: p.text}; }), q.get('precision') || '4');
    var last = Math.max(meta.months.length - 1, 0);
    ['from', 'to', 'from2', 'to2'].forEach(function (id) { $(id).max = last; });
    var at = function (m, def) { var i = meta.months.indexOf(m); return i < 0 ? def : i; };
    $('from').value = at(q.get('from'), 0);
    $('to').value = at(q.get('to'), last);
    periodSet = !!(q.get('from') || q.get('to'));
    // The second map's period starts as the first half of the months.
    $('from2').value = 0;
    $('to2').value = Math.floor(last / 2);
    $('compare').value = q.get('compare') || '';
    periodText();
    ['category', 'metric', 'subcategory', 'measure', 'province', 'near_border', 'precision', 'from', 'to', 'compare', 'category2', 'from2', 'to2'].forEach(function (id) {
      $(id).addEventListener('change', function () {
        if (id === 'from' || id === 'to') periodSet = true;
        if (id === 'category') {
          fillSubcategories($('subcategory').value);
          fillMeasures($('measure').value);
        }
        var done = refresh();
        if (id === 'province') done.then(fitProvince);
      });
    });
    ['from', 'to', 'from2', 'to2'].forEach(function (id) { $(id).addEventListener('input', periodText); });
    $('controls').addEventListener('submit', function (e) { e.preventDefault(); });
    $('search').addEventListener('input', drawTable);
    Array.prototype.forEach.call(document.querySelectorAll('#table th[data-key]'), function (th) {
      th.addEventListener('click', function () {
        var k = th.getAttribute('data-key');
        sortDir = (k === sortKey) ? -sortDir : (th.getAttribute('data-type') === 'num' && k !== 'rank' ? -1 : 1);
        sortKey = k;
        drawTable();
      });
    });
    $('flows').checked = q.get('flows') === '1';
    $('flows').addEventListener('change', function () { refresh(); });
    $('panel-close').addEventListener('click', function () { closePanel(); });
    $('dl-png').addEventListener('click', downloadPNG);
  }

  function periodText() {
    var m = meta.months;
    if (!m.length) return;
    var a = +$('from').value, b = +$('to').value;
    $('period-out').textContent = m[Math.min(a, b)] + ' to ' + m[Math.max(a, b)];
    a = +$('from2').value; b = +$('to2').value;
    $('period2-out').textContent = m[Math.min(a, b)] + ' to ' + m[Math.max(a, b)];
  }

  function makeMap(which) {
    var map = L.map('map' + which, {attributionControl: false, zoomSnap: 0.25, preferCanvas: false});
    var layer = L.geoJSON(base, {
      style: function (f) {
        return {className: 'd-' + f.properties.district_code, color: '#ffffff', weight: 0.7, fillColor: OUTSIDE, fillOpacity: 1};
      },
      onEachFeature: function (f, l) {
        var code = f.properties.district_code;
        l.bindTooltip(function () { return tooltip(which, code, f.properties); }, {sticky: true, className: 'tip'});
        l.on('click', function () { openPanel(code); });
        l.on('mouseover', function () { l.setStyle({weight: 2, color: '#1a1a1a'}); });
        l.on('mouseout', function () { l.setStyle(code === selected ? {weight: 2.5, color: '#000000'} : {weight: 0.7, color: '#ffffff'}); });
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds());
    maps[which] = map;
    layers[which] = layer;
    map.on('move', function () { sync(which); });
  }

  // fitProvince shows the chosen province's districts, or the whole map.
  function fitProvince() {
    var p = $('province').value, b = null;
    layers.A.eachLayer(function (l) {
      if (!p || l.feature.properties.province === p) b = b ? b.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(), l.getBounds().getNorthEast());
    });
    if (b) maps.A.fitBounds(b);
  }

  // sync makes the other map show what this one shows.
  function sync(which) {
    if (syncing || $('boxB').hidden || !maps.B) return;
    var other = which === 'A' ? maps.B : maps.A;
    syncing = true;
    other.setView(maps[which].getCenter(), maps[which].getZoom(), {animate: false});
    syncing = false;
  }

  function byCode(view) {
    var out = {};
    if (view) view.districts.forEach(function (d) { out[d.district_code] = d; });
    return out;
  }

  function tooltip(which, code, props) {
    var view = views[which];
    var d = view && view.index[code];
    var box = el('div');
    box.appendChild(el('b', null, props.district));
    box.appendChild(el('div', {'class': 'q'}, props.province + ' · ' + code));
    if (!d) {
      box.appendChild(el('div', null, 'not in this view (province filter)'));
      return box;
    }
    var rows = [
      ['incidents', fmt(d.incidents, 0)],
      ['rate per 100,000', d.population ? fmt(d.rate_per_100k, 2) : 'no population figure'],
      ['EB rate per 100,000', d.population ? fmt(d.eb_rate_per_100k, 2) : 'no population figure'],
      [view.metric, fmt(d.value, view.metric === 'count' ? 0 : 2)],
      ['class', d['class']]
    ];
    if (view.metric === 'gi') rows.push(['Gi* p (FDR bins)', fmt(d.gi_p, 4)]);
    if (view.metric === 'lisa') rows.push(['pseudo p', fmt(d.lisa_p, 3)]);
    if (view.metric === 'trend') rows.push(['trend p', fmt(d.trend_p, 4)]);
    if (view.metric === 'change') rows.push(['base period', fmt(d.base_incidents, 0) + ' incidents']);
    var total = d.by_precision[0] + d.by_precision[1] + d.by_precision[2] + d.by_precision[3];
    rows.push(['located', total ? 'point ' + pct(d.by_precision[0], total) + ', near ' + pct(d.by_precision[1], total) +
      ', by name ' + pct(d.by_precision[2], total) + ', province ' + pct(d.by_precision[3], total) : '–']);
    var t = el('table', {'class': 'small'});
    rows.forEach(function (r) {
      var tr = el('tr', {'data-field': r[0]});
      tr.appendChild(el('td', {'class': 'l'}, r[0]));
      tr.appendChild(el('td', null, r[1]));
      t.appendChild(tr);
    });
    box.appendChild(t);
    return box;
  }

  // shownInLegend: every class of Gi* and clusters, as ArcGIS and GeoDa
  // show them, empty ones too; otherwise the classes with districts.
  function shownInLegend(view, e) {
    var fixed = (view.kind === 'gi' || view.kind === 'lisa') && e.label !== 'no data' && e.label !== 'no population figure';
    return e.n > 0 || fixed;
  }

  function drawLegend(which) {
    var box = $('legend' + which), view = views[which];
    clear(box);
    view.legend.forEach(function (e) {
      if (!shownInLegend(view, e)) return;
      var item = el('span', {'class': 'item'});
      var sw = el('span', {'class': 'swatch'});
      sw.style.background = e.fill;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(e.label + ' (' + e.n + ')'));
      box.appendChild(item);
    });
  }

  function paint(which) {
    var view = views[which];
    layers[which].eachLayer(function (l) {
      var code = l.feature.properties.district_code;
      var d = view.index[code];
      l.setStyle({fillColor: d ? d.fill : OUTSIDE});
      var p = l.getElement && l.getElement();
      if (p) p.setAttribute('data-class', d ? d['class'] : 'outside');
    });
  }

  function title(view) {
    var cat = view.category === 'all' ? 'all four categories' : view.category.replace(/_/g, ' ');
    return cat + ': ' + view.metric_doc + ', ' + view.from + ' to ' + view.to + (view.province ? ', ' + view.province : '');
  }

  // emptyView stands for a view that could not be had (a scope without
  // incidents): the map is drawn blank, not left in the last view's colours.
  function emptyView(which, p, err) {
    var v = {districts: [], index: {}, legend: [], query: p.toString(), metric: p.get('metric'), header: err.message};
    views[which] = v;
    paint(which);
    clear($('legend' + which));
    $('title' + which).textContent = err.message;
    if (which === 'A') {
      $('header').textContent = '';
      drawTable();
    }
    throw err;
  }

  function loadView(which, prefetched) {
    var p = params(which);
    var got = prefetched && prefetched.query === p.toString() ? Promise.resolve(prefetched.view) : getJSON('/api/view.json?' + p.toString());
    return got.catch(function (e) { return emptyView(which, p, e); }).then(function (v) {
      v.index = byCode(v);
      v.query = p.toString();
      views[which] = v;
      paint(which);
      drawLegend(which);
      $('title' + which).textContent = title(v);
      if (which === 'A') {
        if (!periodSet) { // show the view's months on the slider
          var i = meta.months.indexOf(v.from), j = meta.months.indexOf(v.to);
          if (i >= 0 && j >= 0) { $('from').value = i; $('to').value = j; periodText(); }
        }
        $('header').textContent = v.header;
        $('dl-csv').href = '/api/view.csv?' + v.query;
        $('dl-geojson').href = '/api/view.geojson?' + v.query;
        drawTable();
      }
    });
  }

  // The flows layer: origin -> destination lines of drug or human
  // trafficking (/api/flows.json) over map A, as wide as their incidents.
  var FLOW_COLOUR = '#b2182b';
  var flowLayer = null;
  function loadFlows() {
    if (flowLayer) { maps.A.removeLayer(flowLayer); flowLayer = null; }
    var note = $('flows-note');
    if (!$('flows').checked) { note.hidden = true; return Promise.resolve(); }
    var a = params('A'), p = new URLSearchParams();
    var cat = a.get('category');
    p.set('category', cat === 'drug_trafficking' ? cat : 'human_trafficking');
    if (a.get('from')) { p.set('from', a.get('from')); p.set('to', a.get('to')); }
    if (a.get('province')) p.set('province', a.get('province'));
    if (a.get('subcategory') && cat === p.get('category')) p.set('subcategory', a.get('subcategory'));
    return getJSON('/api/flows.json?' + p.toString()).then(function (res) {
      flowLayer = L.layerGroup();
      var widest = res.flows.reduce(function (m, f) { return Math.max(m, f.incidents); }, 0);
      var ends = {};
      res.flows.forEach(function (f) {
        var line = L.polyline([[f.from[1], f.from[0]], [f.to[1], f.to[0]]],
          {color: FLOW_COLOUR, opacity: 0.75, weight: 1 + 11 * f.incidents / Math.max(widest, 1), interactive: true});
        line.bindTooltip(f.origin.name + ' \u2192 ' + f.destination.name + ': ' + fmt(f.incidents, 0) + ' incidents' +
          (f.victims ? ', ' + fmt(f.victims, 0) + ' victims' : '') + (f.kg ? ', ' + fmt(f.kg, 1) + ' kg' : ''), {sticky: true, className: 'tip'});
        flowLayer.addLayer(line);
        [[f.origin, f.from], [f.destination, f.to]].forEach(function (e) {
          var k = e[0].kind + ':' + e[0].code;
          if (ends[k]) return;
          ends[k] = true;
          flowLayer.addLayer(L.circleMarker([e[1][1], e[1][0]], {radius: 3, color: '#08306b', fillOpacity: 1, weight: 1})
            .bindTooltip(e[0].name, {className: 'tip'}));
        });
      });
      flowLayer.addTo(maps.A);
      var un = res.unresolved ? res.unresolved.incidents : 0;
      note.textContent = 'Flows of ' + res.category.replace(/_/g, ' ') + ': ' + res.flows.length + ' origin \u2192 destination pairs of ' +
        fmt(res.incidents, 0) + ' incidents (' + fmt(un, 0) + ' without a resolved origin or destination; ocmap flows lists why). ' +
        'Line width: incidents (the widest ' + fmt(widest, 0) + '). Countries are drawn at their anchor points: zoom out to see them.' +
        (cat === 'drug_trafficking' || cat === 'human_trafficking' ? '' : ' Choose drug trafficking to see drug flows.');
      note.hidden = false;
      document.body.setAttribute('data-flows', String(res.flows.length));
    }).catch(function (e) {
      note.textContent = 'Flows: ' + e.message;
      note.hidden = false;
    });
  }

  var pending = 0;
  function refresh(prefetched) {
    var cmp = $('compare').value;
    $('controls').className = 'controls' + (cmp ? ' cmp-on-' + cmp : '');
    var wasHidden = $('boxB').hidden;
    $('boxB').hidden = !cmp;
    if (cmp && !maps.B) makeMap('B');
    if (cmp) {
      maps.A.invalidateSize();
      maps.B.invalidateSize();
      if (wasHidden) sync('A');
    } else {
      maps.A.invalidateSize();
    }
    var q = params('A');
    if (selected) q.set('district', selected);
    if (cmp) {
      q.set('compare', cmp);
      q.set('category2', $('category2').value);
    }
    if ($('flows').checked) q.set('flows', '1');
    history.replaceState(null, '', '?' + q.toString());
    var jobs = [loadView('A', prefetched), loadFlows()];
    if (cmp) jobs.push(loadView('B'));
    pending++;
    document.body.setAttribute('data-busy', '1');
    return Promise.all(jobs).then(function () {
      showError('');
      if (selected) return openPanel(selected);
    }).catch(function (e) {
      showError(e.message);
    }).then(function () {
      pending--;
      if (!pending) {
        document.body.removeAttribute('data-busy');
        // Tests and the demo's screenshot wait for this counter.
        var n = +(document.body.getAttribute('data-views') || 0) + 1;
        document.body.setAttribute('data-views', String(n));
        // Milliseconds from the start of navigation to the first view drawn.
        if (n === 1) document.body.setAttribute('data-first-view-ms', String(Math.round(performance.now())));
      }
    });
  }

  // rowValue is what the table sorts a district on.
  function rowValue(d, key) {
    if (key === 'rank') return d.rank;
    var v = d[key];
    if (v === null || v === undefined) return null;
    return v;
  }

  function drawTable() {
    var view = views.A;
    if (!view) return;
    var body = document.querySelector('#table tbody');
    clear(body);
    $('th-value').textContent = view.metric;
    var ds = view.districts.map(function (d, i) { d.rank = i + 1; return d; });
    var q = $('search').value.trim().toLowerCase();
    if (q) {
      ds = ds.filter(function (d) {
        return (d.district + ' ' + d.province + ' ' + d.district_code).toLowerCase().indexOf(q) >= 0;
      });
    }
    ds = ds.slice().sort(function (a, b) {
      var x = rowValue(a, sortKey), y = rowValue(b, sortKey);
      if (x === null && y === null) return a.rank - b.rank;
      if (x === null) return 1; // no value: last, either way
      if (y === null) return -1;
      var c = (typeof x === 'string') ? x.localeCompare(y) : x - y;
      return c * sortDir || a.rank - b.rank;
    });
    ds.forEach(function (d) {
      var tr = el('tr', {'data-code': d.district_code});
      tr.appendChild(el('td', null, d.rank));
      tr.appendChild(el('td', {'class': 'l'}, d.district));
      tr.appendChild(el('td', {'class': 'l'}, d.province));
      tr.appendChild(el('td', null, fmt(d.value, view.metric === 'count' ? 0 : 2)));
      tr.appendChild(el('td', null, fmt(d.incidents, 0)));
      tr.appendChild(el('td', null, d.population ? fmt(d.population, 0) : 'no population figure'));
      tr.appendChild(el('td', null, fmt(d.rate_per_100k, 2)));
      tr.appendChild(el('td', null, fmt(d.eb_rate_per_100k, 2)));
      tr.appendChild(el('td', {'class': 'l'}, d['class']));
      tr.addEventListener('click', function () { openPanel(d.district_code, true); });
      body.appendChild(tr);
    });
    Array.prototype.forEach.call(document.querySelectorAll('#table th[data-key]'), function (th) {
      th.className = (th.className.replace(/\b(asc|desc)\b/g, '').trim() + ' ' +
        (th.getAttribute('data-key') === sortKey ? (sortDir > 0 ? 'asc' : 'desc') : '')).trim();
    });
    $('table-count').textContent = !view.districts.length ? 'no districts in this view' : ds.length + ' of ' + view.districts.length + ' districts' +
      (view.districts.length < meta.districts ? ' (the province\'s; the map has ' + meta.districts + ')' : '');
  }

  function highlight(code) {
    ['A', 'B'].forEach(function (w) {
      if (!layers[w]) return;
      layers[w].eachLayer(function (l) {
        var c = l.feature.properties.district_code;
        l.setStyle(c === code ? {weight: 2.5, color: '#000000'} : {weight: 0.7, color: '#ffffff'});
        if (c === code) l.bringToFront();
      });
    });
  }

  function closePanel() {
    selected = null;
    var q = new URLSearchParams(location.search);
    q.delete('district');
    history.replaceState(null, '', '?' + q.toString());
    $('panel').hidden = true;
    highlight(null);
    maps.A.invalidateSize();
    if (maps.B) maps.B.invalidateSize();
  }

  function openPanel(code, zoom) {
    selected = code;
    var q = new URLSearchParams(location.search);
    q.set('district', code);
    history.replaceState(null, '', '?' + q.toString());
    var p = params('A');
    p.set('code', code);
    return getJSON('/api/district.json?' + p.toString()).then(function (det) {
      if (selected !== code) return;
      var wasHidden = $('panel').hidden;
      $('panel').hidden = false;
      if (wasHidden) {
        maps.A.invalidateSize();
        if (maps.B) maps.B.invalidateSize();
      }
      highlight(code);
      if (zoom) {
        layers.A.eachLayer(function (l) {
          if (l.feature.properties.district_code === code) maps.A.fitBounds(l.getBounds(), {maxZoom: 9});
        });
      }
      $('panel-title').textContent = det.district;
      $('panel-title').setAttribute('data-code', code);
      $('panel-sub').textContent = det.province + ' · ' + code + ' · ' +
        (det.population ? 'population ' + fmt(det.population, 0) + ' (census ' + det.population_year + ')' : 'no population figure') +
        ' · ' + det.months[0] + ' to ' + det.months[det.months.length - 1];
      drawChart(det);
      drawSeriesTable(det);
      var src = $('panel-sources');
      clear(src);
      var all = det.sources.reduce(function (s, x) { return s + x.records; }, 0);
      det.sources.forEach(function (s) { src.appendChild(el('li', null, s.source + ': ' + fmt(s.records, 0) + ' records (' + pct(s.records, all) + ')')); });
      if (!det.sources.length) src.appendChild(el('li', null, 'no records in this period'));
      var nb = $('panel-neighbours');
      clear(nb);
      det.neighbours.forEach(function (n) {
        var li = el('li', {'data-code': n.district_code}, n.district + ' (' + n.province + ')');
        li.addEventListener('click', function () { openPanel(n.district_code, true); });
        nb.appendChild(li);
      });
      if (!det.neighbours.length) nb.appendChild(el('li', null, 'none'));
    }).catch(function (e) { showError(e.message); });
  }

  // drawChart draws the monthly incidents of each category as lines.
  function drawChart(det) {
    var box = $('panel-chart');
    clear(box);
    var W = 320, H = 180, L0 = 32, R0 = 8, T0 = 8, B0 = 42;
    var n = det.months.length, max = 1;
    det.categories.forEach(function (c) { det.series[c].forEach(function (v) { max = Math.max(max, v); }); });
    var x = function (i) { return L0 + (n > 1 ? i * (W - L0 - R0) / (n - 1) : (W - L0 - R0) / 2); };
    var y = function (v) { return T0 + (H - T0 - B0) * (1 - v / max); };
    var svg = svgEl('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'chart', role: 'img',
      'aria-label': 'incidents per month by category'});
    svg.appendChild(svgEl('line', {x1: L0, y1: y(0), x2: W - R0, y2: y(0), 'class': 'axis'}));
    svg.appendChild(svgEl('line', {x1: L0, y1: T0, x2: L0, y2: y(0), 'class': 'axis'}));
    [0, max].forEach(function (v) {
      var t = svgEl('text', {x: L0 - 4, y: y(v) + 3, 'text-anchor': 'end'});
      t.textContent = String(v);
      svg.appendChild(t);
    });
    [0, n - 1].forEach(function (i) {
      var t = svgEl('text', {x: x(i), y: H - B0 + 12, 'text-anchor': i ? 'end' : 'start'});
      t.textContent = det.months[i];
      svg.appendChild(t);
    });
    det.categories.forEach(function (c, k) {
      var pts = det.series[c].map(function (v, i) { return x(i).toFixed(1) + ',' + y(v).toFixed(1); });
      var line = svgEl(n > 1 ? 'polyline' : 'circle', n > 1 ? {points: pts.join(' '), 'class': 'line', stroke: CATEGORY_COLOURS[k]} :
        {cx: x(0), cy: y(det.series[c][0]), r: 3, fill: CATEGORY_COLOURS[k]});
      line.setAttribute('data-category', c);
      svg.appendChild(line);
      var t = svgEl('text', {x: L0 + (k % 2) * 140, y: H - 16 + 12 * Math.floor(k / 2), fill: CATEGORY_COLOURS[k]});
      t.textContent = '— ' + c.replace(/_/g, ' ');
      svg.appendChild(t);
    });
    box.appendChild(svg);
  }

  // drawSeriesTable lists the chart's numbers: a month a row.
  function drawSeriesTable(det) {
    var t = $('panel-table');
    clear(t);
    var head = el('tr');
    head.appendChild(el('th', {'class': 'l'}, 'month'));
    det.categories.forEach(function (c) { head.appendChild(el('th', null, c.replace(/_/g, ' '))); });
    t.appendChild(head);
    det.months.forEach(function (m, i) {
      var tr = el('tr', {'data-month': m});
      tr.appendChild(el('td', {'class': 'l'}, m));
      det.categories.forEach(function (c) { tr.appendChild(el('td', {'data-category': c}, det.series[c][i])); });
      t.appendChild(tr);
    });
  }

  // downloadPNG draws the maps as they are shown (pan, zoom, colours),
  // with their titles and legends, on a canvas, and saves it.
  function downloadPNG() {
    var shown = ['A'].concat($('boxB').hidden ? [] : ['B']);
    var size = maps.A.getSize();
    var pad = 10, titleH = 24, legendH = 22 * Math.ceil(views.A.legend.length / 3) + 10;
    var canvas = document.createElement('canvas');
    canvas.width = shown.length * (size.x + pad) + pad;
    canvas.height = titleH + size.y + legendH + 2 * pad;
    var g = canvas.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    shown.forEach(function (w, k) {
      var map = maps[w], view = views[w], ox = pad + k * (size.x + pad), oy = pad + titleH;
      g.fillStyle = '#1a1a1a';
      g.font = 'bold 13px sans-serif';
      g.fillText(title(view), ox, pad + 14, size.x);
      g.save();
      g.beginPath();
      g.rect(ox, oy, size.x, size.y);
      g.clip();
      layers[w].eachLayer(function (l) {
        var d = view.index[l.feature.properties.district_code];
        g.beginPath();
        var rings = l.getLatLngs();
        var walk = function (r) {
          if (r.length && r[0].lat === undefined) { r.forEach(walk); return; }
          r.forEach(function (ll, i) {
            var p = map.latLngToContainerPoint(ll);
            if (i) g.lineTo(ox + p.x, oy + p.y); else g.moveTo(ox + p.x, oy + p.y);
          });
          g.closePath();
        };
        walk(rings);
        g.fillStyle = d ? d.fill : OUTSIDE;
        g.fill('evenodd');
        g.strokeStyle = '#ffffff';
        g.lineWidth = 0.7;
        g.stroke();
      });
      g.restore();
      g.strokeStyle = '#cccccc';
      g.strokeRect(ox, oy, size.x, size.y);
      g.font = '11px sans-serif';
      var i = 0;
      view.legend.forEach(function (e) {
        if (!shownInLegend(view, e)) return;
        var lx = ox + (i % 3) * (size.x / 3), ly = oy + size.y + 8 + 22 * Math.floor(i / 3);
        g.fillStyle = e.fill;
        g.fillRect(lx, ly, 14, 12);
        g.strokeStyle = '#999999';
        g.strokeRect(lx, ly, 14, 12);
        g.fillStyle = '#1a1a1a';
        g.fillText(e.label + ' (' + e.n + ')', lx + 18, ly + 10, size.x / 3 - 22);
        i++;
      });
    });
    canvas.toBlob(function (blob) {
      var a = el('a', {download: 'ocmap-' + views.A.category + '-' + views.A.metric + '-' + views.A.from + '-' + views.A.to + '.png'});
      a.href = URL.createObjectURL(blob);
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    }, 'image/png');
  }

  // firstQuery is the first view's query, from the address alone, so that
  // its data is fetched beside the controls and the base map.
  function firstQuery() {
    var q = new URLSearchParams(location.search), p = new URLSearchParams();
    p.set('category', q.get('category') || 'all');
    p.set('metric', q.get('metric') || 'count');
    if (q.get('from') || q.get('to')) return null; // the slider's months need the controls
    if (q.get('province')) p.set('province', q.get('province'));
    p.set('precision', q.get('precision') || '4');
    return p.toString();
  }

  function start() {
    var fq = firstQuery();
    var first = fq ? getJSON('/api/view.json?' + fq).then(function (v) { return {query: fq, view: v}; }, function () { return null; }) : null;
    Promise.all([getJSON('/api/meta.json'), getJSON('/api/districts.geojson'), first]).then(function (r) {
      meta = r[0];
      base = r[1];
      setupControls();
      makeMap('A');
      var d = new URLSearchParams(location.search).get('district');
      if (d && base.features.some(function (f) { return f.properties.district_code === d; })) selected = d;
      return refresh(r[2]);
    }).catch(function (e) { showError('The page could not load its data: ' + e.message); });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
