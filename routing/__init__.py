"""Travel times and the vehicle-routing core (the only home of OR-Tools in domcare)."""
