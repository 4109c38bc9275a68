// The map: Leaflet with a configurable tile URL; without tiles (none configured, or none load)
// the radius circle and the outlines of the subscribed cells still show where things are.

import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { bounds, type LatLon } from '../shared/geo';

export class PingMap {
  private readonly map: L.Map;
  private readonly circle: L.Circle;
  private readonly cells = L.layerGroup();
  private readonly pins = new Map<string, L.CircleMarker>();
  onPick: (spot: LatLon) => void = () => undefined;
  picking = false;

  constructor(element: HTMLElement, tileUrl: string, attribution: string) {
    this.map = L.map(element, { zoomControl: true, attributionControl: Boolean(tileUrl) }).setView([0, 0], 2);
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 18, attribution }).addTo(this.map);
    this.cells.addTo(this.map);
    this.circle = L.circle([0, 0], { radius: 1, color: '#0b5394', weight: 2, fillOpacity: 0.06 }).addTo(this.map);
    this.map.on('click', (event: L.LeafletMouseEvent) => {
      if (this.picking) this.onPick({ lat: event.latlng.lat, lon: event.latlng.lng });
    });
  }

  show(center: LatLon, radiusM: number, cells: string[]): void {
    this.circle.setLatLng([center.lat, center.lon]).setRadius(radiusM);
    this.cells.clearLayers();
    for (const hash of cells) {
      const b = bounds(hash);
      L.rectangle([[b.latMin, b.lonMin], [b.latMax, b.lonMax]], { color: '#888', weight: 1, fill: false, dashArray: '4' })
        .bindTooltip(hash).addTo(this.cells);
    }
    this.map.fitBounds(this.circle.getBounds(), { maxZoom: 14 });
  }

  pin(id: string, at: LatLon, label: string): void {
    const marker = this.pins.get(id);
    if (!marker) {
      this.pins.set(id, L.circleMarker([at.lat, at.lon], { radius: 8, color: '#c0392b', fillOpacity: 0.8 }).bindTooltip(label).addTo(this.map));
    } else if (marker.getTooltip()?.getContent() !== label) {
      marker.setTooltipContent(label);
    }
  }

  unpin(id: string): void {
    this.pins.get(id)?.remove();
    this.pins.delete(id);
  }
}
